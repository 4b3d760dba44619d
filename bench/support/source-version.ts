import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface SourceVersion {
  commit: string | undefined;
  /** True when src/ differed from that commit: the figures belong to uncommitted code. */
  uncommittedChangesInSrc: boolean | undefined;
}

function git(args: string[]): string | undefined {
  // --no-optional-locks: reading the status must never rewrite the index of someone else's checkout.
  const r = spawnSync('git', ['--no-optional-locks', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

/** Which code a result was measured on, so figures can be tied to a commit. */
export function sourceVersion(): SourceVersion {
  const status = git(['status', '--porcelain', '--', 'src']);
  return {
    commit: git(['rev-parse', 'HEAD']),
    uncommittedChangesInSrc: status === undefined ? undefined : status !== '',
  };
}
