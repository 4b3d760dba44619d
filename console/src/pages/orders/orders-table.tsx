import { createColumnHelper, flexRender, getCoreRowModel, useReactTable } from '@tanstack/react-table';
import { Link } from 'react-router';
import { formatDateTime, formatMoney, statusLabel } from '../../format';
import type { OrdersPageQuery } from '../../gql/graphql';

type OrderRow = OrdersPageQuery['orders']['edges'][number]['node'];

const column = createColumnHelper<OrderRow>();

const COLUMNS = [
  column.accessor('number', {
    header: 'Order',
    cell: (c) => <Link to={`/orders/${encodeURIComponent(c.row.original.id)}`}>{c.getValue()}</Link>,
  }),
  column.accessor('placedAt', { header: 'Placed', cell: (c) => formatDateTime(c.getValue()) }),
  column.accessor((o) => o.customer?.name ?? '', { id: 'customer', header: 'Customer' }),
  column.accessor('email', { header: 'Email', cell: (c) => c.getValue() ?? '' }),
  column.accessor('channelId', { header: 'Channel' }),
  column.accessor('status', {
    header: 'Status',
    cell: (c) => <span className={`status status-${c.getValue().toLowerCase()}`}>{statusLabel(c.getValue())}</span>,
  }),
  column.accessor((o) => o.totals.total, {
    id: 'total',
    header: 'Total',
    cell: (c) => formatMoney(c.getValue()),
  }),
];

/** The rows of one page; sorting and paging are the server's (keyset), so the table only renders. */
export function OrdersTable({ rows, caption }: { rows: OrderRow[]; caption: string }) {
  const table = useReactTable({ data: rows, columns: COLUMNS, getCoreRowModel: getCoreRowModel() });
  return (
    <table className="data">
      <caption className="visually-hidden">{caption}</caption>
      <thead>
        {table.getHeaderGroups().map((group) => (
          <tr key={group.id}>
            {group.headers.map((header) => (
              <th key={header.id} scope="col" className={header.column.id === 'total' ? 'numeric' : undefined}>
                {flexRender(header.column.columnDef.header, header.getContext())}
              </th>
            ))}
          </tr>
        ))}
      </thead>
      <tbody>
        {table.getRowModel().rows.map((row) => (
          <tr key={row.id}>
            {row.getVisibleCells().map((cell) => (
              <td key={cell.id} className={cell.column.id === 'total' ? 'numeric' : undefined}>
                {flexRender(cell.column.columnDef.cell, cell.getContext())}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
