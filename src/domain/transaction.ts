import { DeadlockException, type EntityManager } from '@mikro-orm/core';

const MAX_ATTEMPTS = 5;

/** PostgreSQL's serialization failure: the transaction may simply be run again. */
function isRetryable(error: unknown): boolean {
  if (error instanceof DeadlockException) return true;
  const code = (error as { code?: string }).code;
  return code === '40001' || code === '40P01';
}

/**
 * Runs `work` in one transaction, running it again (with a fresh EntityManager) when the
 * database chose it as a deadlock victim or could not serialise it. Such errors never reach a
 * caller unless they repeat MAX_ATTEMPTS times.
 */
export async function inTransaction<T>(em: EntityManager, work: (tx: EntityManager) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await em.fork().transactional(work);
    } catch (error) {
      if (!isRetryable(error) || attempt >= MAX_ATTEMPTS) throw error;
      await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
    }
  }
}
