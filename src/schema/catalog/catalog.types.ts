import { Field, ID, Int, ObjectType } from 'type-graphql';
import type { Product } from '../../domain/catalog/product.entity.js';
import type { Variant } from '../../domain/catalog/variant.entity.js';
import { Money, moneyOf } from '../common/money.type.js';
import { PageInfo } from '../common/page-info.type.js';

/** A product; `variants` is a field resolver batched per request (product-fields.resolver.ts). */
@ObjectType('Product', { description: 'A product: what is sold, with one variant per SKU.' })
export class ProductNode {
  @Field(() => ID)
  id!: string;

  @Field()
  title!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field()
  createdAt!: Date;

  @Field()
  updatedAt!: Date;
}

export function productNodeOf(p: Product): ProductNode {
  return {
    id: p.id,
    title: p.title,
    description: p.description ?? null,
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** A variant; `product` is a field resolver batched per request. */
@ObjectType('Variant', { description: 'A sellable SKU with its price.' })
export class VariantNode {
  @Field(() => ID)
  id!: string;

  @Field()
  sku!: string;

  @Field()
  title!: string;

  @Field(() => Money)
  price!: Money;

  @Field(() => Int, { nullable: true, description: 'Weight in grams.' })
  weightGrams!: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed length in millimetres.' })
  lengthMm!: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed width in millimetres.' })
  widthMm!: number | null;

  @Field(() => Int, { nullable: true, description: 'Packed height in millimetres.' })
  heightMm!: number | null;

  @Field(() => String, { nullable: true })
  barcode!: string | null;

  @Field()
  requiresShipping!: boolean;

  @Field()
  createdAt!: Date;

  /** For the `product` field resolver; not a GraphQL field. */
  productId!: string;
}

export function variantNodeOf(v: Variant): VariantNode {
  return {
    id: v.id,
    sku: v.sku,
    title: v.title,
    price: moneyOf(v.priceAmount, v.currency),
    weightGrams: v.weightGrams ?? null,
    lengthMm: v.lengthMm ?? null,
    widthMm: v.widthMm ?? null,
    heightMm: v.heightMm ?? null,
    barcode: v.barcode ?? null,
    requiresShipping: v.requiresShipping,
    createdAt: v.createdAt,
    productId: v.product.id,
  };
}

@ObjectType()
export class ProductEdge {
  @Field()
  cursor!: string;

  @Field(() => ProductNode)
  node!: ProductNode;
}

@ObjectType()
export class ProductConnection {
  @Field(() => [ProductEdge])
  edges!: ProductEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}
