import { Field, Float, InputType, ObjectType } from 'type-graphql';
import type { PostalAddress } from '../../domain/address.js';

@ObjectType({ description: 'A postal address.' })
export class Address {
  @Field(() => String, { nullable: true })
  name!: string | null;

  @Field(() => String, { nullable: true })
  company!: string | null;

  // Nullable because erasing a customer reduces their orders' addresses to the country.
  @Field(() => String, { nullable: true, description: 'Null once the customer was erased (only the country is kept).' })
  line1!: string | null;

  @Field(() => String, { nullable: true })
  line2!: string | null;

  @Field(() => String, { nullable: true, description: 'Null once the customer was erased (only the country is kept).' })
  city!: string | null;

  @Field(() => String, { nullable: true })
  region!: string | null;

  @Field(() => String, { nullable: true })
  postalCode!: string | null;

  @Field({ description: 'ISO 3166-1 alpha-2, e.g. US.' })
  countryCode!: string;

  @Field(() => String, { nullable: true })
  phone!: string | null;

  @Field(() => Float, { nullable: true })
  latitude!: number | null;

  @Field(() => Float, { nullable: true })
  longitude!: number | null;
}

export function addressOf(a: PostalAddress): Address {
  return {
    name: a.name ?? null,
    company: a.company ?? null,
    line1: a.line1 ?? null,
    line2: a.line2 ?? null,
    city: a.city ?? null,
    region: a.region ?? null,
    postalCode: a.postalCode ?? null,
    countryCode: a.countryCode,
    phone: a.phone ?? null,
    latitude: a.latitude ?? null,
    longitude: a.longitude ?? null,
  };
}

@InputType({ description: 'A postal address; lengths and the country code are checked by the service.' })
export class AddressInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  company?: string | null;

  @Field()
  line1!: string;

  @Field(() => String, { nullable: true })
  line2?: string | null;

  @Field()
  city!: string;

  @Field(() => String, { nullable: true })
  region?: string | null;

  @Field(() => String, { nullable: true })
  postalCode?: string | null;

  @Field({ description: 'ISO 3166-1 alpha-2, e.g. US.' })
  countryCode!: string;

  @Field(() => String, { nullable: true })
  phone?: string | null;

  @Field(() => Float, { nullable: true })
  latitude?: number | null;

  @Field(() => Float, { nullable: true })
  longitude?: number | null;
}
