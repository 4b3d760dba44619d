import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Customer } from '../../domain/orders/customer.entity.js';
import { Address, addressOf } from '../common/address.type.js';
import { PageInfo } from '../common/page-info.type.js';

@ObjectType('Customer', { description: 'A buyer. Erased customers keep their id; their personal data is blank.' })
export class CustomerNode {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true })
  email!: string | null;

  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => [Address])
  addresses!: Address[];

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the personal data was erased, if it was.' })
  erasedAt!: Date | null;
}

export function customerNodeOf(c: Customer): CustomerNode {
  return {
    id: c.id,
    email: c.email ?? null,
    name: c.name ?? null,
    phone: c.phone ?? null,
    addresses: (c.addresses ?? []).map(addressOf),
    createdAt: c.createdAt,
    erasedAt: c.erasedAt ?? null,
  };
}

@ObjectType()
export class CustomerEdge {
  @Field()
  cursor!: string;

  @Field(() => CustomerNode)
  node!: CustomerNode;
}

@ObjectType()
export class CustomerConnection {
  @Field(() => [CustomerEdge])
  edges!: CustomerEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
