/** Settings every benchmark shares, read once from the environment by the runner. */
export interface BenchSettings {
  /** Length of each recorded measurement. */
  durationS: number;
  /** Unrecorded load before each measurement, so JIT and connection pools are warm. */
  warmupS: number;
}

/** What a benchmark gets from the runner. */
export interface BenchContext {
  settings: BenchSettings;
  /** Progress for the person watching; stdout is kept for the JSON result. */
  log(message: string): void;
  /**
   * Registers a resource to release when the benchmark ends, whether it succeeds, throws or is
   * interrupted; released in reverse order of registration.
   */
  defer(name: string, release: () => Promise<unknown>): void;
}

/** A performance goal stated as a ratio against a floor measured in the same run. */
export interface BenchTarget {
  description: string;
  ratio: number;
  required: number;
  met: boolean;
}

/** What a benchmark returns; the runner adds the date, machine and settings around it. */
export interface BenchOutcome {
  /** What was measured, in a sentence. */
  description: string;
  /** How the system under test was set up (never secrets). */
  setup: Record<string, unknown>;
  results: unknown[];
  target?: BenchTarget;
  /** Anything that makes the figures untrustworthy (error responses, wrong bodies); empty when none. */
  problems: string[];
  /** Things that may have skewed the figures without invalidating them, such as other work on the machine. */
  warnings: string[];
}

export type Benchmark = (ctx: BenchContext) => Promise<BenchOutcome>;
