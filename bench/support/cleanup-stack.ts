/**
 * Resources to release in reverse order of acquisition. Each release runs even if an earlier
 * one failed, so one stuck child never leaves the database server behind.
 */
export class CleanupStack {
  private readonly entries: { name: string; release: () => Promise<unknown> }[] = [];
  private releasing: Promise<void> | undefined;

  constructor(private readonly onError: (message: string) => void) {}

  push(name: string, release: () => Promise<unknown>): void {
    this.entries.push({ name, release });
  }

  /** Safe to call twice (a signal during the normal teardown): both callers wait for the one teardown. */
  releaseAll(): Promise<void> {
    this.releasing ??= this.release();
    return this.releasing;
  }

  private async release(): Promise<void> {
    for (const entry of this.entries.splice(0).reverse()) {
      try {
        await entry.release();
      } catch (error) {
        this.onError(`could not release ${entry.name}: ${(error as Error).message ?? String(error)}`);
      }
    }
  }
}
