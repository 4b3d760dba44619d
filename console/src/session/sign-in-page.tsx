import { useEffect, useRef, useState, type FormEvent } from 'react';
import { signIn, type Session } from './auth-api';

interface Props {
  onSignedIn(session: Session): void;
}

/**
 * Sign-in, one step at a time. Today the only step is the password; the two-factor step
 * ("enter your 6-digit code or a recovery code") is one more `step` value with its own form,
 * entered when `signIn` answers that a second factor is needed.
 */
export function SignInPage({ onSignedIn }: Props) {
  const [step] = useState<'password'>('password');
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Switchyard</h1>
      {step === 'password' && <PasswordStep onSignedIn={onSignedIn} />}
    </main>
  );
}

function PasswordStep({ onSignedIn }: Props) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => emailRef.current?.focus(), []);
  // A refusal is announced (role=alert) and takes the focus, so keyboard users hear it.
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await signIn(email.trim(), password);
      if (result.kind === 'signed-in') return onSignedIn(result.session);
      const wait = result.retryAfterSeconds ? ` Try again in ${result.retryAfterSeconds} s.` : '';
      setError(`${result.message}${wait && !result.message.includes('wait') ? wait : ''}`);
    } catch (e) {
      setError(`Could not reach the hub: ${String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-describedby={error ? 'sign-in-error' : undefined}>
      {error && (
        <p id="sign-in-error" className="error" role="alert" tabIndex={-1} ref={errorRef}>
          {error}
        </p>
      )}
      <label htmlFor="email">Email</label>
      <input
        id="email"
        name="email"
        type="email"
        autoComplete="username"
        required
        ref={emailRef}
        value={email}
        onChange={(e) => setEmail(e.target.value)}
      />
      <label htmlFor="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
