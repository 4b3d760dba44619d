import { benchmarks } from './registry.js';
import { CleanupStack } from './support/cleanup-stack.js';
import { machineInfo } from './support/machine.js';
import { writeResultFile } from './support/result-file.js';
import { benchSettings } from './support/settings.js';
import { sourceVersion } from './support/source-version.js';

/**
 * npm run bench -- <name>: runs one benchmark, prints its result as JSON on stdout and keeps a
 * copy under bench/results/. Progress goes to stderr. Exit codes: 0 measured (whether or not a
 * target was met), 1 the run failed or some responses were wrong, 2 no such benchmark.
 */
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function exit(code: number): void {
  // stdout may be a pipe: exit only once the JSON has been handed over.
  process.stdout.write('', () => process.exit(code));
}

async function main(name: string | undefined): Promise<number> {
  // hasOwn, so that a name like toString is not taken for a benchmark.
  const benchmark = name !== undefined && Object.hasOwn(benchmarks, name) ? benchmarks[name] : undefined;
  if (!benchmark) {
    process.stderr.write(
      `${name === undefined ? 'Name a benchmark' : `Unknown benchmark "${name}"`}. Available: ${Object.keys(benchmarks).join(', ')}\nUsage: npm run bench -- <name>\n`,
    );
    return 2;
  }
  // Child processes (hub, workers) run on this same Node; a figure taken on another major
  // version (the machine's own `node` is older) says nothing about what ships.
  const major = Number(process.versions.node.split('.')[0]);
  if (major !== 24) {
    process.stderr.write(
      `Benchmarks run on Node 24, as the hub ships (package.json engines); this is Node ${process.versions.node}. Use npm run bench -- ${name}.\n`,
    );
    return 1;
  }
  const settings = benchSettings(process.env);
  const cleanup = new CleanupStack(log);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping servers`);
      void cleanup.releaseAll().then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }

  const date = new Date();
  const machine = machineInfo();
  const source = sourceVersion();
  const outcome = await (async () => {
    try {
      return await benchmark({ settings, log, defer: (what, release) => cleanup.push(what, release) });
    } finally {
      log('stopping servers');
      await cleanup.releaseAll();
    }
  })();

  const report = {
    benchmark: name,
    date: date.toISOString(),
    machine,
    source,
    settings,
    valid: outcome.problems.length === 0,
    ...outcome,
  };
  const json = `${JSON.stringify(report, null, 2)}\n`;
  process.stdout.write(json);
  log(`written to ${await writeResultFile(name!, date, json)}`);
  if (outcome.target)
    log(
      `target ${outcome.target.met ? 'met' : 'MISSED'}: ${outcome.target.description}; ratio ${outcome.target.ratio}`,
    );
  for (const warning of outcome.warnings) log(`warning: ${warning}`);
  if (!report.valid) log(`the figures are not trustworthy:\n  ${outcome.problems.join('\n  ')}`);
  return report.valid ? 0 : 1;
}

main(process.argv[2]).then(exit, (error: unknown) => {
  log(`failed: ${(error as Error).stack ?? String(error)}`);
  exit(1);
});
