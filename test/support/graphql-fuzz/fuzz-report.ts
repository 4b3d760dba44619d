import type { InvariantViolation } from '../../../src/domain/invariants/invariants.js';
import type { FuzzFailure, FuzzTally } from './fuzz-runner.js';

const EXAMPLE_CHARS = 400;

/** The hub's logged error for each request id: the real cause behind a masked INTERNAL. */
export function causesFromLog(hubLog: string): Map<string, string> {
  const causes = new Map<string, string>();
  for (const line of hubLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const entry = JSON.parse(line) as { requestId?: string; err?: { type?: string; message?: string }; msg?: string };
      if (!entry.requestId || !entry.err || causes.has(entry.requestId)) continue;
      causes.set(entry.requestId, `${entry.err.type ?? 'Error'}: ${entry.err.message ?? entry.msg ?? ''}`);
    } catch {
      // Not a log line of ours (a stack trace continuation, a banner): nothing to learn from it.
    }
  }
  return causes;
}

function clip(text: string, max = EXAMPLE_CHARS): string {
  const printable = JSON.stringify(text).slice(1, -1);
  return printable.length > max ? `${printable.slice(0, max)}… (${printable.length} chars)` : printable;
}

function counts(title: string, values: Record<string, number>): string[] {
  const sorted = Object.entries(values).sort((a, b) => b[1] - a[1]);
  return [`${title}:`, ...sorted.map(([k, n]) => `  ${String(n).padStart(8)}  ${k}`)];
}

/** Failures grouped by operation, status/code and cause, each with one example to replay. */
function grouped(failures: FuzzFailure[], causes: Map<string, string>): string[] {
  const groups = new Map<string, FuzzFailure[]>();
  for (const f of failures) {
    // Ids and numbers vary from one occurrence to the next; the cause is the same.
    const cause = (causes.get(f.requestId) ?? f.message)
      .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, '<uuid>')
      .replace(/\d+/g, 'N');
    const key = `${f.field} → ${f.status} ${f.code}: ${clip(cause, 200)}`;
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const lines: string[] = [];
  for (const [key, list] of [...groups].sort((a, b) => b[1].length - a[1].length)) {
    const first = list[0]!;
    const classes = [...new Set(list.flatMap((f) => f.hostile.map((h) => h.replace(/\[\d+\]/g, '[]'))))];
    lines.push(`- ${list.length}× ${key}`);
    lines.push(
      `    hostile values seen: ${classes.length ? clip(classes.join('; '), 600) : '(none: a plausible operation)'}`,
    );
    lines.push(`    e.g. op #${first.index} as ${first.caller}: ${clip(first.query)}`);
    if (first.variables) lines.push(`    variables: ${clip(first.variables)}`);
  }
  return lines;
}

/** The figures a run prints: operations, statuses, error codes, then every failure grouped by cause. */
export function formatFuzzReport(
  tally: FuzzTally,
  violations: InvariantViolation[],
  hubExit: number | string,
  hubLog: string,
): string {
  const lines = [
    `GraphQL fuzz: seed ${tally.seed}, ${tally.operations} operations, ${tally.dropped} without a response, ` +
      `${tally.failures.length} failures, hub exit ${hubExit}`,
    ...counts('by HTTP status', tally.byStatus),
    ...counts('by error code', tally.byCode),
    `fields covered: ${Object.keys(tally.byField).length}`,
    'slowest:',
    ...tally.slowest.map(
      (s) => `  ${String(s.ms).padStart(8)} ms  #${s.index} ${s.field} ${clip(s.hostile.join('; '), 200)}`,
    ),
    violations.length === 0
      ? 'invariants: all hold'
      : `invariants broken: ${violations.map((v) => `${v.invariant} (${v.problems.slice(0, 3).join('; ')})`).join(', ')}`,
  ];
  if (tally.failures.length) lines.push('failures by cause:', ...grouped(tally.failures, causesFromLog(hubLog)));
  return lines.join('\n');
}
