import { lazy, Suspense } from 'react';
import { createBrowserRouter } from 'react-router';
import { ComingNext, NotFound } from './layout/coming-next';
import { ConsoleLayout } from './layout/console-layout';
import { OrderPage } from './pages/orders/order-page';
import { OrdersPage } from './pages/orders/orders-page';
import { SettingsPage } from './pages/settings/settings-page';
import { TodayPage } from './pages/today/today-page';

// GraphiQL (and its editor) is large: its own chunk, fetched only when opened.
const GraphiQLPage = lazy(() => import('./pages/graphiql/graphiql-page'));

export const router = createBrowserRouter(
  [
    {
      path: '/',
      element: <ConsoleLayout />,
      children: [
        { index: true, element: <TodayPage /> },
        { path: 'orders', element: <OrdersPage /> },
        { path: 'orders/:id', element: <OrderPage /> },
        { path: 'inventory', element: <ComingNext title="Inventory" /> },
        { path: 'channels', element: <ComingNext title="Channels" /> },
        { path: 'fulfilment', element: <ComingNext title="Fulfilment" /> },
        { path: 'settings', element: <SettingsPage /> },
        {
          path: 'graphiql',
          element: (
            <Suspense fallback={<p role="status">Loading GraphiQL…</p>}>
              <GraphiQLPage />
            </Suspense>
          ),
        },
        { path: '*', element: <NotFound /> },
      ],
    },
  ],
  { basename: '/console' },
);
