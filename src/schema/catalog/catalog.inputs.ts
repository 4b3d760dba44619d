import { GraphQLSafeInt } from 'graphql-scalars';
import { Field, InputType, Int } from 'type-graphql';
import { MAX_VARIANTS } from '../../domain/catalog/catalog.service.js';
import { MAX_DESCRIPTION_LENGTH, MAX_UNIT_PRICE } from '../../domain/input-limits.js';

@InputType({ description: 'A new variant (SKU).' })
export class VariantInput {
  @Field({ description: '1 to 100 of A-Z a-z 0-9 . _ - /; unique across the catalog.' })
  sku!: string;

  @Field(() => String, { nullable: true, description: 'Default: the product title.' })
  title?: string | null;

  @Field(() => GraphQLSafeInt, {
    description: `Price in integer minor units, e.g. 1999 for 19.99; 0 to ${MAX_UNIT_PRICE}.`,
  })
  priceAmount!: number;

  @Field({ description: 'An ISO 4217 currency code, e.g. USD.' })
  currency!: string;

  @Field(() => Int, { nullable: true, description: 'Weight in whole grams; needed to buy a shipping label.' })
  weightGrams?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed length in whole millimetres (1 to 10000), for parcels.' })
  lengthMm?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed width in whole millimetres (1 to 10000).' })
  widthMm?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed height in whole millimetres (1 to 10000).' })
  heightMm?: number | null;

  @Field(() => String, { nullable: true })
  barcode?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Default true.' })
  requiresShipping?: boolean | null;
}

@InputType()
export class CreateProductInput {
  @Field({ description: '1 to 300 characters.' })
  title!: string;

  @Field(() => String, { nullable: true, description: `At most ${MAX_DESCRIPTION_LENGTH} characters.` })
  description?: string | null;

  @Field(() => [VariantInput], { description: `1 to ${MAX_VARIANTS} variants.` })
  variants!: VariantInput[];
}

@InputType({
  description:
    'Changes to an existing variant, found by SKU. Omitted fields stay; null clears weightGrams, the dimensions and barcode.',
})
export class VariantPatchInput {
  @Field({ description: 'Which variant of this product to change. SKU and currency cannot change.' })
  sku!: string;

  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => GraphQLSafeInt, {
    nullable: true,
    description: `New price in minor units, 0 to ${MAX_UNIT_PRICE}; orders already placed keep theirs.`,
  })
  priceAmount?: number | null;

  @Field(() => Int, { nullable: true, description: 'Weight in whole grams; needed to buy a shipping label.' })
  weightGrams?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed length in whole millimetres (1 to 10000), for parcels.' })
  lengthMm?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed width in whole millimetres (1 to 10000).' })
  widthMm?: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed height in whole millimetres (1 to 10000).' })
  heightMm?: number | null;

  @Field(() => String, { nullable: true })
  barcode?: string | null;

  @Field(() => Boolean, { nullable: true })
  requiresShipping?: boolean | null;
}

@InputType({ description: 'Changes to a product; omitted fields stay as they are.' })
export class UpdateProductInput {
  @Field(() => String, { nullable: true })
  title?: string | null;

  @Field(() => String, {
    nullable: true,
    description: `null or blank clears it; at most ${MAX_DESCRIPTION_LENGTH} characters.`,
  })
  description?: string | null;

  @Field(() => [VariantPatchInput], { nullable: true, description: `At most ${MAX_VARIANTS}.` })
  variants?: VariantPatchInput[] | null;

  @Field(() => [VariantInput], {
    nullable: true,
    description: `New variants; a product holds at most ${MAX_VARIANTS}.`,
  })
  addVariants?: VariantInput[] | null;
}
