/**
 * The hub's cookie sign-in over plain HTTP (src/http/console-auth.routes.ts). The session
 * cookie is HttpOnly, so the app never sees it: it only keeps the CSRF token the hub returns.
 */

export interface ConsoleUser {
  id: string;
  name: string;
  role: string;
  channelId: string | null;
}

export interface Session {
  user: ConsoleUser;
  csrfToken: string;
}

/**
 * What one sign-in step answered. A second factor (TOTP or a recovery code) arrives as one more
 * kind here, answered by one more step component on the sign-in page.
 */
export type SignInResult =
  { kind: 'signed-in'; session: Session } | { kind: 'refused'; message: string; retryAfterSeconds: number | null };

/** The hub's error bodies have the GraphQL shape: {errors: [{message, extensions: {code}}]}. */
interface ErrorBody {
  errors?: { message?: string }[];
}

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as ErrorBody | null;
  return body?.errors?.[0]?.message ?? `The hub answered ${response.status} ${response.statusText}`.trim();
}

export async function signIn(email: string, password: string): Promise<SignInResult> {
  const response = await fetch('/auth/sign-in', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify({ email, password }),
  });
  if (response.ok) return { kind: 'signed-in', session: (await response.json()) as Session };
  const retryAfter = Number(response.headers.get('Retry-After'));
  return {
    kind: 'refused',
    message: await messageOf(response),
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  };
}

/** The signed-in session after a reload, or null when there is none. */
export async function currentSession(): Promise<Session | null> {
  const response = await fetch('/auth/session', { credentials: 'same-origin', cache: 'no-store' });
  if (response.status === 401) return null;
  if (!response.ok) throw new Error(await messageOf(response));
  return (await response.json()) as Session;
}

export async function signOut(csrfToken: string): Promise<void> {
  const response = await fetch('/auth/sign-out', {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken },
    credentials: 'same-origin',
  });
  if (!response.ok && response.status !== 401) throw new Error(await messageOf(response));
}
