import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Mutation, Query, Resolver } from 'type-graphql';
import { listProducts } from '../../domain/catalog/catalog-query.service.js';
import { createProduct, MAX_VARIANTS, productById, variantBySku } from '../../domain/catalog/catalog.service.js';
import { updateProduct } from '../../domain/catalog/update-product.service.js';
import { allowed } from '../auth/policy.js';
import { assertMaxItems } from '../common/input-limits.js';
import { connectionOf } from '../common/page-info.type.js';
import { operationContext, type GraphQLContext } from '../context.js';
import { CreateProductInput, UpdateProductInput } from './catalog.inputs.js';
import { ProductConnection, ProductNode, productNodeOf, VariantNode, variantNodeOf } from './catalog.types.js';
import { PageArgs } from '../common/page-args.js';

@ArgsType()
class ProductsArgs extends PageArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Case-insensitive "contains" over the title; at most 200 characters.',
  })
  search?: string | null;
}

@Resolver()
export class CatalogResolver {
  @Authorized(allowed('product'))
  @Query(() => ProductNode)
  async product(@Arg('id', () => ID) id: string, @Ctx() ctx: GraphQLContext): Promise<ProductNode> {
    return productNodeOf(await productById(operationContext(ctx), id));
  }

  @Authorized(allowed('variant'))
  @Query(() => VariantNode, { description: 'One variant by SKU.' })
  async variant(@Arg('sku') sku: string, @Ctx() ctx: GraphQLContext): Promise<VariantNode> {
    return variantNodeOf(await variantBySku(operationContext(ctx), sku));
  }

  @Authorized(allowed('products'))
  @Query(() => ProductConnection, { description: 'Products, newest first.' })
  async products(@Args() args: ProductsArgs, @Ctx() ctx: GraphQLContext): Promise<ProductConnection> {
    return connectionOf(await listProducts(operationContext(ctx), args), productNodeOf);
  }

  @Authorized(allowed('createProduct'))
  @Mutation(() => ProductNode, {
    description: 'Creates a product with its variants. A SKU that exists already: CONFLICT.',
  })
  async createProduct(@Arg('input') input: CreateProductInput, @Ctx() ctx: GraphQLContext): Promise<ProductNode> {
    assertMaxItems('variants', input.variants, MAX_VARIANTS);
    return productNodeOf((await createProduct(operationContext(ctx), input)).product);
  }

  @Authorized(allowed('updateProduct'))
  @Mutation(() => ProductNode, {
    description: 'Changes a product, its variants by SKU, and adds variants, in one transaction.',
  })
  async updateProduct(
    @Arg('id', () => ID) id: string,
    @Arg('input') input: UpdateProductInput,
    @Ctx() ctx: GraphQLContext,
  ): Promise<ProductNode> {
    assertMaxItems('variants', input.variants, MAX_VARIANTS);
    assertMaxItems('addVariants', input.addVariants, MAX_VARIANTS);
    return productNodeOf((await updateProduct(operationContext(ctx), id, input)).product);
  }
}
