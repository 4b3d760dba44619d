import { arch, cpus, loadavg, platform, release, totalmem } from 'node:os';

export interface MachineInfo {
  os: string;
  arch: string;
  cpuModel: string;
  cpuCount: number;
  totalMemoryGiB: number;
  node: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews figures. */
  loadAverageAtStart: number[];
}

/** The machine a result was measured on: figures from different machines are not comparable. */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    os: `${platform()} ${release()}`,
    arch: arch(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpuCount: list.length,
    totalMemoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    loadAverageAtStart: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
