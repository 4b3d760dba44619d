import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

let ticksPerSecond: number | undefined;

function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
}

/**
 * CPU seconds (user + system) a process has used so far, from /proc; undefined where there is
 * no /proc. Shows whether a server was CPU-bound, and what the load generator took from it.
 */
export function processCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  } catch {
    return undefined;
  }
}

/** Starts a stopwatch of a process's CPU; the result is in percent of one core over the wall time. */
export function cpuMeter(pid: number): () => number | undefined {
  const startCpu = processCpuSeconds(pid);
  const startWall = process.hrtime.bigint();
  return () => {
    const endCpu = processCpuSeconds(pid);
    if (startCpu === undefined || endCpu === undefined) return undefined;
    const wallS = Number(process.hrtime.bigint() - startWall) / 1e9;
    return Math.round(((endCpu - startCpu) / wallS) * 100);
  };
}

/**
 * Busy milliseconds of all cores. /proc/stat where there is one: os.cpus() leaves out softirq
 * and steal time, and loopback networking under load spends a good share in softirq.
 */
function machineBusyMs(): number {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal [guest guest_nice, already counted in user and nice]
    const busyTicks = fields.slice(0, 8).reduce((sum, v, i) => (i === 3 || i === 4 ? sum : sum + v), 0);
    return (busyTicks / clockTicks()) * 1000;
  } catch {
    return cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.nice + cpu.times.sys + cpu.times.irq, 0);
  }
}

/**
 * Starts a stopwatch of every core's busy time, in percent of one core (200 = two cores busy).
 * What it shows beyond the server and the load generator is other work disturbing the run.
 */
export function machineCpuMeter(): () => number {
  const startBusy = machineBusyMs();
  const startWall = process.hrtime.bigint();
  return () => {
    const wallMs = Number(process.hrtime.bigint() - startWall) / 1e6;
    return Math.round(((machineBusyMs() - startBusy) / wallMs) * 100);
  };
}
