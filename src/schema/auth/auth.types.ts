import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { ALL_ROLES, type Role } from '../../domain/auth/roles.js';
import { upperCaseEnumOf } from '../common/enum-of.js';
import type { ApiKey } from '../../domain/auth/api-key.entity.js';
import type { Principal } from '../../domain/auth/principal.js';
import { PageInfo } from '../common/page-info.type.js';

/** The GraphQL enum Role: UPPER_CASE names (READ_ONLY) for the stored lower-case roles (read_only). */
export const RoleEnum = upperCaseEnumOf(ALL_ROLES);
registerEnumType(RoleEnum, { name: 'Role', description: 'What an API key may do; ADMIN may do everything.' });

export enum PrincipalKind {
  API_KEY = 'api_key',
  BOOTSTRAP_ADMIN = 'bootstrap_admin',
  USER = 'user',
  SYSTEM = 'system',
}
registerEnumType(PrincipalKind, { name: 'PrincipalKind' });

@ObjectType({ description: 'The caller, as identified by its API key or console session.' })
export class Me {
  @Field(() => PrincipalKind)
  kind!: PrincipalKind;

  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Set when the key is limited to one channel.' })
  channelId!: string | null;

  @Field(() => String, { nullable: true, description: 'The visible part of the key, e.g. syk_1a2b3c4d.' })
  keyPrefix!: string | null;
}

export function meOf(principal: Principal): Me {
  return { ...principal, kind: principal.kind as PrincipalKind };
}

@ObjectType('ApiKey', { description: 'An API key. The secret itself is shown only once, when it is created.' })
export class ApiKeyNode {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field({ description: 'The visible part of the key, e.g. syk_1a2b3c4d.' })
  prefix!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true })
  channelId!: string | null;

  @Field({
    description: 'Who created it: a key id, "bootstrap" (SWITCHYARD_ADMIN_KEY) or "system" (first start, CLI).',
  })
  createdBy!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  revokedAt!: Date | null;

  @Field(() => String, { nullable: true })
  revokedBy!: string | null;

  @Field()
  active!: boolean;
}

export function apiKeyNodeOf(k: ApiKey): ApiKeyNode {
  return {
    id: k.id,
    name: k.name,
    prefix: k.prefix,
    role: k.role as Role,
    channelId: k.channelId ?? null,
    createdBy: k.createdBy,
    createdAt: k.createdAt,
    revokedAt: k.revokedAt ?? null,
    revokedBy: k.revokedBy ?? null,
    active: !k.revokedAt,
  };
}

@ObjectType()
export class ApiKeyEdge {
  @Field()
  cursor!: string;

  @Field(() => ApiKeyNode)
  node!: ApiKeyNode;
}

@ObjectType()
export class ApiKeyConnection {
  @Field(() => [ApiKeyEdge])
  edges!: ApiKeyEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class CreateApiKeyInput {
  @Field({ description: 'What the key is for, 1 to 100 characters.' })
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Limit the key to one channel (not allowed for admin).' })
  channelId?: string | null;
}

@ObjectType()
export class CreateApiKeyPayload {
  @Field(() => ApiKeyNode)
  apiKey!: ApiKeyNode;

  @Field({ description: 'The whole key. Store it now: it is never shown again.' })
  key!: string;
}
