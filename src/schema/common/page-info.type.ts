import { Field, ObjectType } from 'type-graphql';
import type { Page } from '../../domain/pagination.js';

@ObjectType({ description: 'Relay page information.' })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field({ description: 'Always false: pages are walked forwards with `after`.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export function pageInfoOf(page: Page<unknown>): PageInfo {
  return {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: false,
    startCursor: page.cursors[0] ?? null,
    endCursor: page.cursors.at(-1) ?? null,
  };
}

/** Builds a connection object (edges, pageInfo, totalCount) from a domain page. */
export function connectionOf<T, N>(page: Page<T>, toNode: (item: T) => N) {
  return {
    edges: page.items.map((item, i) => ({ cursor: page.cursors[i] as string, node: toNode(item) })),
    pageInfo: pageInfoOf(page),
    totalCount: page.totalCount,
  };
}
