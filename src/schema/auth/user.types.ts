import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import type { Role } from '../../domain/auth/roles.js';
import type { User } from '../../domain/users/user.entity.js';
import { PageInfo } from '../common/page-info.type.js';
import { RoleEnum } from './auth.types.js';

@ObjectType('User', {
  description: 'A person who signs in to the console, with the same roles and channel scope as an API key.',
})
export class UserNode {
  @Field(() => ID)
  id!: string;

  @Field({ description: 'Lower-cased; unique.' })
  email!: string;

  @Field()
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Set when the user only sees and touches this channel.' })
  channelId!: string | null;

  @Field()
  passwordChangedAt!: Date;

  @Field({ description: 'Who created the user: an API key id, a user id, or "system" (CLI).' })
  createdBy!: string;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deactivatedAt!: Date | null;

  @Field(() => String, { nullable: true })
  deactivatedBy!: string | null;

  @Field()
  active!: boolean;

  @Field({
    description:
      'Whether two-factor sign-in (TOTP) is on. Required for admins: an admin without it can only enrol after signing in.',
  })
  twoFactorEnabled!: boolean;
}

export function userNodeOf(u: User): UserNode {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    channelId: u.channelId ?? null,
    passwordChangedAt: u.passwordChangedAt,
    createdBy: u.createdBy,
    createdAt: u.createdAt,
    deactivatedAt: u.deactivatedAt ?? null,
    deactivatedBy: u.deactivatedBy ?? null,
    active: !u.deactivatedAt,
    twoFactorEnabled: !!u.totpEnabledAt,
  };
}

@ObjectType()
export class UserEdge {
  @Field()
  cursor!: string;

  @Field(() => UserNode)
  node!: UserNode;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@InputType()
export class CreateUserInput {
  @Field({ description: 'Their sign-in; unique among users (case-insensitive).' })
  email!: string;

  @Field({ description: '1 to 100 characters.' })
  name!: string;

  @Field(() => RoleEnum)
  role!: Role;

  @Field(() => String, { nullable: true, description: 'Limit the user to one channel (not allowed for admin).' })
  channelId?: string | null;

  @Field({ description: 'An initial password: 12 to 256 characters, not the email. Stored only as an argon2id hash.' })
  password!: string;
}

@InputType()
export class UpdateUserInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => RoleEnum, { nullable: true })
  role?: Role | null;

  @Field(() => String, {
    nullable: true,
    description: 'A channel to limit the user to; null lifts the limit; left out keeps it.',
  })
  channelId?: string | null;

  @Field(() => String, { nullable: true, description: 'A new password (12 to 256 characters, not the email).' })
  password?: string | null;
}
