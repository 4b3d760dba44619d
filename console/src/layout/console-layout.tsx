import { useEffect, useRef } from 'react';
import { NavLink, Outlet, useLocation } from 'react-router';
import { useSession } from '../session/session-context';
import { SignOutButton } from './sign-out-button';

/** The screens in the order operators reach for them; each is a route under /console. */
export const SCREENS = [
  { path: '/', label: 'Today' },
  { path: '/orders', label: 'Orders' },
  { path: '/inventory', label: 'Inventory' },
  { path: '/channels', label: 'Channels' },
  { path: '/fulfilment', label: 'Fulfilment' },
  { path: '/settings', label: 'Settings' },
] as const;

/** Header, navigation and the page: landmarks for screen readers, a skip link for keyboards. */
export function ConsoleLayout() {
  const { session } = useSession();
  const main = useRef<HTMLElement>(null);
  const { pathname } = useLocation();
  const first = useRef(true);

  // After client-side navigation, focus moves to the new page as it would on a page load.
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [pathname]);

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Switchyard</span>
        <span className="who">
          {session.user.name} · {session.user.role.toLowerCase().replace('_', ' ')}
        </span>
        <SignOutButton />
      </header>
      <nav className="sidebar" aria-label="Console">
        <ul>
          {SCREENS.map((s) => (
            <li key={s.path}>
              <NavLink to={s.path} end={s.path === '/'}>
                {s.label}
              </NavLink>
            </li>
          ))}
          <li className="separated">
            <NavLink to="/graphiql">GraphiQL</NavLink>
          </li>
        </ul>
      </nav>
      <main id="main" ref={main} tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
