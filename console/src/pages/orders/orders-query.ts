import { graphql } from '../../gql';

/** One page of the orders list; every filter of the screen maps to one argument here. */
export const OrdersPageQuery = graphql(`
  query OrdersPage($first: Int!, $after: String, $filter: OrdersFilter, $orderBy: OrderSort!) {
    orders(first: $first, after: $after, filter: $filter, orderBy: $orderBy) {
      totalCount
      pageInfo {
        endCursor
        hasNextPage
      }
      edges {
        cursor
        node {
          id
          number
          channelId
          status
          email
          placedAt
          customer {
            name
          }
          totals {
            total {
              amount
              currency
            }
          }
        }
      }
    }
    channels {
      id
      name
    }
  }
`);
