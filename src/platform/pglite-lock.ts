import { readFileSync, rmSync, writeFileSync } from 'node:fs';

/**
 * PGlite is PostgreSQL inside one process: a second process opening the same data directory
 * would corrupt it. A pid file beside the directory keeps it to one; a file left by a process
 * that no longer exists is taken over.
 */
export function acquirePgliteLock(dataDir: string): void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.once('exit', () => releaseIfOurs(file));
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(file, 'utf8').trim());
    if (holder === process.pid) return;
    if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
      throw new Error(
        `The embedded database in ${dataDir} is in use by process ${holder}. ` +
          'Stop that hub first (PGlite serves one process), or use PostgreSQL via DATABASE_URL.',
      );
    }
    rmSync(file, { force: true });
  }
  throw new Error(`Could not lock the embedded database in ${dataDir}`);
}

export function releasePgliteLock(dataDir: string): void {
  releaseIfOurs(`${dataDir}.lock`);
}

function releaseIfOurs(file: string): void {
  try {
    if (Number(readFileSync(file, 'utf8').trim()) === process.pid) rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
