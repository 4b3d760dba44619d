import { useEffect, useRef, useState, type FormEvent } from 'react';
import { signIn, type Session } from './auth-api';
import { CodeStep } from './code-step';
import { refusalText } from './refusal-text';

interface Props {
  onSignedIn(session: Session): void;
}

type Step = { step: 'password'; notice: string | null } | { step: 'code'; challenge: string; expiresAt: string };

/**
 * Sign-in, one step at a time: the password, then — when the hub answers with a challenge — the
 * two-factor code. An expired challenge comes back to the password with the reason shown.
 */
export function SignInPage({ onSignedIn }: Props) {
  const [step, setStep] = useState<Step>({ step: 'password', notice: null });
  return (
    <main className="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Switchyard</h1>
      {step.step === 'password' && (
        <PasswordStep
          notice={step.notice}
          onSignedIn={onSignedIn}
          onSecondFactor={(challenge, expiresAt) => setStep({ step: 'code', challenge, expiresAt })}
        />
      )}
      {step.step === 'code' && (
        <CodeStep
          challenge={step.challenge}
          expiresAt={step.expiresAt}
          onSignedIn={onSignedIn}
          onStartOver={(notice) => setStep({ step: 'password', notice })}
        />
      )}
    </main>
  );
}

interface PasswordProps extends Props {
  notice: string | null;
  onSecondFactor(challenge: string, expiresAt: string): void;
}

function PasswordStep({ onSignedIn, onSecondFactor, notice }: PasswordProps) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(notice);
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
      if (result.kind === 'second-factor') return onSecondFactor(result.challenge, result.expiresAt);
      setError(refusalText(result));
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
