import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import type { GraphQLContext } from '../context.js';
import { ProductNode, productNodeOf, VariantNode, variantNodeOf } from './catalog.types.js';

@Resolver(() => ProductNode)
export class ProductFieldsResolver {
  @FieldResolver(() => [VariantNode], { description: 'Every variant, oldest first.' })
  async variants(@Root() product: ProductNode, @Ctx() ctx: GraphQLContext): Promise<VariantNode[]> {
    return (await ctx.loaders.productVariants.load(product.id)).map(variantNodeOf);
  }
}

@Resolver(() => VariantNode)
export class VariantFieldsResolver {
  @FieldResolver(() => ProductNode)
  async product(@Root() variant: VariantNode, @Ctx() ctx: GraphQLContext): Promise<ProductNode> {
    const product = await ctx.loaders.products.load(variant.productId);
    // variant.product_id references product: a missing row is a broken database, not a client error.
    if (!product) throw new DomainError(ErrorCode.INTERNAL, `variant ${variant.id} has no product`);
    return productNodeOf(product);
  }
}
