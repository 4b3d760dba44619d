import { useEffect, useRef, useState, type FormEvent } from 'react';
import { verifySignIn, type Session } from './auth-api';
import { refusalText } from './refusal-text';

interface Props {
  challenge: string;
  expiresAt: string;
  onSignedIn(session: Session): void;
  /** Back to the password, with why (null: the user chose to). */
  onStartOver(notice: string | null): void;
}

const EXPIRED_NOTICE = 'The sign-in took too long: enter your email and password again.';

/**
 * The second sign-in step: one field for either a 6-digit TOTP code or a recovery code (the hub
 * tells them apart). The challenge lives a few minutes; when it runs out, here or on the hub,
 * the user starts again at the password rather than typing codes that cannot work.
 */
export function CodeStep({ challenge, expiresAt, onSignedIn, onStartOver }: Props) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => codeRef.current?.focus(), []);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);
  useEffect(() => {
    const timer = setTimeout(() => onStartOver(EXPIRED_NOTICE), Math.max(0, Date.parse(expiresAt) - Date.now()));
    return () => clearTimeout(timer);
  }, [expiresAt, onStartOver]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const result = await verifySignIn(challenge, code.trim());
      if (result.kind === 'signed-in') return onSignedIn(result.session);
      if (result.kind === 'refused' && result.challengeExpired) return onStartOver(EXPIRED_NOTICE);
      setError(result.kind === 'refused' ? refusalText(result) : 'The hub asked for another code: sign in again.');
      setCode('');
    } catch (e) {
      setError(`Could not reach the hub: ${String(e)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} aria-describedby={error ? 'code-error code-help' : 'code-help'}>
      {error && (
        <p id="code-error" className="error" role="alert" tabIndex={-1} ref={errorRef}>
          {error}
        </p>
      )}
      <label htmlFor="code">Code</label>
      <p id="code-help" className="hint">
        Enter the 6-digit code from your authenticator app, or a recovery code.
      </p>
      <input
        id="code"
        name="code"
        type="text"
        autoComplete="one-time-code"
        autoCapitalize="characters"
        spellCheck={false}
        required
        ref={codeRef}
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      <button type="submit" disabled={busy}>
        {busy ? 'Checking…' : 'Verify'}
      </button>
      <button type="button" className="secondary" onClick={() => onStartOver(null)}>
        Start over
      </button>
    </form>
  );
}
