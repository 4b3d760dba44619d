import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { DiagnosticPing } from '../../domain/diagnostics/diagnostic-ping.entity.js';

export enum PingStatus {
  QUEUED = 'queued',
  RUNNING = 'running',
  DONE = 'done',
}
registerEnumType(PingStatus, { name: 'PingStatus' });

@ObjectType('DiagnosticPing', { description: 'A job sent through the queue to a worker and back to the database.' })
export class DiagnosticPingNode {
  @Field(() => ID)
  id!: string;

  @Field(() => PingStatus)
  status!: PingStatus;

  @Field(() => Int, { description: 'How often a worker took it up; above 1 means a worker died holding it.' })
  attempts!: number;

  @Field(() => Int)
  delayMs!: number;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  startedAt!: Date | null;

  @Field(() => Date, { nullable: true })
  finishedAt!: Date | null;
}

export function pingNodeOf(p: DiagnosticPing): DiagnosticPingNode {
  return {
    id: p.id,
    status: p.status as PingStatus,
    attempts: p.attempts,
    delayMs: p.delayMs,
    createdAt: p.createdAt,
    startedAt: p.startedAt ?? null,
    finishedAt: p.finishedAt ?? null,
  };
}
