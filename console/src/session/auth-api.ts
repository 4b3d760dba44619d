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

export interface TwoFactorStatus {
  enabled: boolean;
  required: boolean;
  /** An admin without a second factor: the session can only enrol until they do. */
  enrolmentRequired: boolean;
  recoveryCodesLeft?: number;
}

export interface Session {
  user: ConsoleUser;
  csrfToken: string;
  twoFactor: TwoFactorStatus;
}

/** What one sign-in step answered: a session, a second factor to ask for, or a refusal. */
export type SignInResult =
  | { kind: 'signed-in'; session: Session }
  | { kind: 'second-factor'; challenge: string; expiresAt: string }
  | { kind: 'refused'; message: string; retryAfterSeconds: number | null; challengeExpired: boolean };

interface ChallengeBody {
  secondFactor: 'totp';
  challenge: string;
  expiresAt: string;
}

/** The hub's error bodies have the GraphQL shape: {errors: [{message, extensions: {code}}]}. */
interface ErrorBody {
  errors?: { message?: string }[];
}

async function messageOf(response: Response): Promise<string> {
  const body = (await response.json().catch(() => null)) as ErrorBody | null;
  return body?.errors?.[0]?.message ?? `The hub answered ${response.status} ${response.statusText}`.trim();
}

async function signInStep(path: string, body: unknown): Promise<SignInResult> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  if (response.ok) {
    const answer = (await response.json()) as Session | ChallengeBody;
    if ('challenge' in answer)
      return { kind: 'second-factor', challenge: answer.challenge, expiresAt: answer.expiresAt };
    return { kind: 'signed-in', session: answer };
  }
  const retryAfter = Number(response.headers.get('Retry-After'));
  const message = await messageOf(response);
  return {
    kind: 'refused',
    message,
    retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
    // The hub says so in words only; a 401 that is not about the code means starting over.
    challengeExpired: response.status === 401 && /expired/i.test(message),
  };
}

export function signIn(email: string, password: string): Promise<SignInResult> {
  return signInStep('/auth/sign-in', { email, password });
}

/** The second step: a 6-digit TOTP code or a recovery code for the challenge step one gave. */
export function verifySignIn(challenge: string, code: string): Promise<SignInResult> {
  return signInStep('/auth/sign-in/verify', { challenge, code });
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

export interface Enrolment {
  /** Base32, for typing into an authenticator app by hand. */
  secret: string;
  /** The `otpauth://` URI, for the QR code. */
  uri: string;
}

export interface RecoveryCodes {
  recoveryCodes: string[];
  twoFactor: TwoFactorStatus;
}

async function postWithSession<T>(path: string, csrfToken: string, body?: unknown): Promise<T> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'X-CSRF-Token': csrfToken, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    credentials: 'same-origin',
    cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await messageOf(response));
  return (await response.json()) as T;
}

/** Starts (or starts over) enrolment: a new secret each call. */
export function startEnrolment(csrfToken: string): Promise<Enrolment> {
  return postWithSession('/auth/two-factor/enrolment', csrfToken);
}

/** Turns two-factor sign-in on with a first code; the ten recovery codes come back this once. */
export function confirmEnrolment(csrfToken: string, code: string): Promise<RecoveryCodes> {
  return postWithSession('/auth/two-factor/enrolment/confirm', csrfToken, { code });
}
