import { readFileSync } from 'node:fs';

/**
 * Resident set size of a process in MB (10^6 bytes), from VmRSS in /proc/<pid>/status; undefined
 * where there is no /proc or the process is gone.
 */
export function rssMB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) * 1024) / 1e5) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * RSS split as the kernel counts it (VmRSS = RssAnon + RssFile + RssShmem): anonymous memory
 * (V8's heap, malloc, Buffers) apart from mapped files (the node binary, shared libraries).
 */
export function rssPartsMB(pid: number): { rssAnonMB: number; rssFileMB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kB = (field: string) => {
      const match = new RegExp(`^${field}:\\s+(\\d+)\\s+kB$`, 'm').exec(status);
      return match ? Math.round((Number(match[1]) * 1024) / 1e5) / 10 : Number.NaN;
    };
    return { rssAnonMB: kB('RssAnon'), rssFileMB: kB('RssFile') };
  } catch {
    return undefined;
  }
}

export interface RssSample {
  /** Seconds since the sampler started. */
  atS: number;
  rssMB: number;
  rssAnonMB?: number;
  rssFileMB?: number;
}

/**
 * Samples a process's RSS every `intervalMs` (and once at the start) until `stop()`, which
 * takes a last sample and returns them all. `onSample` sees each one as it is taken.
 */
export function startRssSampler(
  pid: number,
  intervalMs: number,
  onSample?: (sample: RssSample) => void,
): { stop(): RssSample[] } {
  const started = performance.now();
  const samples: RssSample[] = [];
  const take = () => {
    const rss = rssMB(pid);
    if (rss === undefined) return;
    const sample: RssSample = { atS: Math.round(performance.now() - started) / 1000, rssMB: rss, ...rssPartsMB(pid) };
    samples.push(sample);
    onSample?.(sample);
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
