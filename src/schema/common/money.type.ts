import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, ObjectType } from 'type-graphql';

/**
 * Money as integer minor units (cents for USD, yen for JPY) in an ISO 4217 currency. `amount`
 * is a SafeInt (up to 2^53 − 1): GraphQL's Int is 32-bit, which a large order total in minor
 * units can exceed, and floats would round money.
 */
@ObjectType({ description: 'An amount of money in integer minor units (e.g. cents) of an ISO 4217 currency.' })
export class Money {
  @Field(() => GraphQLSafeInt, { description: 'Integer minor units, e.g. 1999 for 19.99 USD.' })
  amount!: number;

  @Field({ description: 'ISO 4217 code, e.g. USD.' })
  currency!: string;
}

export function moneyOf(amount: number, currency: string): Money {
  return { amount, currency };
}
