import type { Job } from 'bullmq';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { SYSTEM_PRINCIPAL } from '../domain/auth/principal.js';
import { runDiagnosticPing } from '../domain/diagnostics/diagnostics.service.js';
import type { Orm } from '../platform/database.js';
import type { QueuePayloads } from './queues.js';

/** Thin: forks an EntityManager and runs the one domain operation. */
export const diagnosticsProcessor =
  (orm: Orm, logger: Logger) =>
  async (job: Job<QueuePayloads['diagnostics']>): Promise<void> => {
    const em = orm.em.fork();
    await runDiagnosticPing(
      { actor: SYSTEM_PRINCIPAL, requestId: `job-${job.id ?? randomUUID()}`, em, logger },
      job.data.pingId,
    );
  };
