import type { ApolloServerPlugin } from '@apollo/server';
import type { Queue } from 'bullmq';
import type { RequestHandler } from 'express';
import { formatError } from '../schema/errors/format-error.js';
import { operationLabel } from './operation-label.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one process, on their own registry (several hubs can share a test process). */
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'switchyard_http_request_duration_seconds',
    help: 'HTTP request duration by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly graphqlDuration = new Histogram({
    name: 'switchyard_graphql_operation_duration_seconds',
    help: 'GraphQL operation duration by operation name and type',
    labelNames: ['operation', 'type'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  readonly graphqlErrors = new Counter({
    name: 'switchyard_graphql_errors_total',
    help: 'GraphQL errors by code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  /** Operations that reached execution: rejected ones (limits, validation, auth at the door) never count. */
  readonly graphqlExecutions = new Counter({
    name: 'switchyard_graphql_executions_total',
    help: 'GraphQL operations that passed validation and limits and started executing',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  /** Outbox rows the relay of this process has published (each row at least once). */
  readonly outboxPublished = new Counter({
    name: 'switchyard_outbox_published_total',
    help: 'Outbox events published by this process',
    registers: [this.registry],
  });

  /** Reports, on every scrape, how long the oldest committed but unpublished outbox event has waited. */
  trackOutboxLag(readLagSeconds: () => Promise<number>): void {
    new Gauge({
      name: 'switchyard_outbox_lag_seconds',
      help: 'Age of the oldest committed outbox event not yet published (0 when none)',
      registers: [this.registry],
      async collect() {
        // Database down: keep the last value; readiness tells the rest.
        await readLagSeconds().then(
          (lag) => this.set(lag),
          () => undefined,
        );
      },
    });
  }

  constructor(queues: Queue[]) {
    collectDefaultMetrics({ register: this.registry, prefix: 'switchyard_' });
    new Gauge({
      name: 'switchyard_queue_jobs',
      help: 'Jobs per queue and state',
      labelNames: ['queue', 'state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        await Promise.all(
          queues.map(async (q) => {
            const counts = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed');
            for (const [state, n] of Object.entries(counts)) this.set({ queue: q.name, state }, n);
          }),
        ).catch(() => undefined); // Redis down: report what we have; readiness tells the rest.
      },
    });
  }

  /** A request's stopwatch: call the result with its route pattern (never the raw URL) and status. */
  httpTimer(method: string): (route: string, status: number) => void {
    const end = this.httpDuration.startTimer({ method });
    return (route, status) => end({ route, status: String(status) });
  }

  httpMiddleware(): RequestHandler {
    return (req, res, next) => {
      const end = this.httpDuration.startTimer({ method: req.method });
      res.on('finish', () => {
        // The matched route, never the raw URL: unbounded label values would exhaust memory.
        const route = (req.route?.path as string | undefined) ?? (req.baseUrl || 'unmatched');
        end({ route, status: String(res.statusCode) });
      });
      next();
    };
  }

  graphqlPlugin<C extends object>(): ApolloServerPlugin<C> {
    const { graphqlDuration, graphqlErrors, graphqlExecutions } = this;
    return {
      async requestDidStart() {
        const started = process.hrtime.bigint();
        let operation = 'unknown';
        let type = 'unknown';
        return {
          async didResolveOperation(rc) {
            // The root field, never the client's operationName: labels stay a set the schema bounds.
            if (rc.operation) operation = operationLabel(rc.schema, rc.document, rc.operation);
            type = rc.operation?.operation ?? 'unknown';
          },
          async executionDidStart() {
            graphqlExecutions.inc({ type });
          },
          async didEncounterErrors(rc) {
            // Count by the code clients see, after formatting.
            for (const e of rc.errors) graphqlErrors.inc({ code: String(formatError(e.toJSON(), e).extensions?.code) });
          },
          async willSendResponse() {
            graphqlDuration.observe({ operation, type }, Number(process.hrtime.bigint() - started) / 1e9);
          },
        };
      },
    };
  }
}
