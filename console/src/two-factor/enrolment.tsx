import { useEffect, useRef, useState, type FormEvent } from 'react';
import { confirmEnrolment, startEnrolment, type Enrolment as Started } from '../session/auth-api';
import { groupSecret } from './group-secret';
import { QrCodeImage } from './qr-code-image';
import { RecoveryCodesOnce } from './recovery-codes-once';

/**
 * One enrolment request at a time per session. React's StrictMode (vite dev) runs the effect
 * twice on mount; two requests would give two secrets, and the hub keeps whichever it handled
 * last, which need not be the one shown. Both runs share the request in flight instead.
 */
let inFlight: { csrfToken: string; promise: Promise<Started> } | null = null;
function startEnrolmentOnce(csrfToken: string): Promise<Started> {
  if (inFlight?.csrfToken !== csrfToken) {
    const promise = startEnrolment(csrfToken).finally(() => {
      if (inFlight?.promise === promise) inFlight = null;
    });
    inFlight = { csrfToken, promise };
  }
  return inFlight.promise;
}

interface Props {
  csrfToken: string;
  /** Two-factor sign-in is on and the codes are saved: re-read the session and carry on. */
  onDone(): void;
}

type Stage =
  | { stage: 'starting' }
  | { stage: 'failed'; message: string }
  | { stage: 'scan'; started: Started }
  | { stage: 'codes'; recoveryCodes: string[] };

/**
 * Turning two-factor sign-in on: a new secret (as a QR code and as text to type), a first code
 * from the app to confirm it, then the ten recovery codes, shown this once.
 */
export function Enrolment({ csrfToken, onDone }: Props) {
  const [stage, setStage] = useState<Stage>({ stage: 'starting' });

  useEffect(() => {
    let current = true;
    startEnrolmentOnce(csrfToken).then(
      (started) => current && setStage({ stage: 'scan', started }),
      (error: unknown) => current && setStage({ stage: 'failed', message: String(error) }),
    );
    return () => {
      current = false;
    };
  }, [csrfToken]);

  if (stage.stage === 'starting') return <p role="status">Preparing a new secret…</p>;
  if (stage.stage === 'failed')
    return (
      <p className="error" role="alert">
        Could not start two-factor sign-in: {stage.message}
      </p>
    );
  if (stage.stage === 'codes') return <RecoveryCodesOnce codes={stage.recoveryCodes} onSaved={onDone} />;
  return (
    <ScanAndConfirm
      csrfToken={csrfToken}
      started={stage.started}
      onConfirmed={(recoveryCodes) => setStage({ stage: 'codes', recoveryCodes })}
    />
  );
}

interface ScanProps {
  csrfToken: string;
  started: Started;
  onConfirmed(recoveryCodes: string[]): void;
}

function ScanAndConfirm({ csrfToken, started, onConfirmed }: ScanProps) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorRef = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (error) errorRef.current?.focus();
  }, [error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onConfirmed((await confirmEnrolment(csrfToken, code.trim())).recoveryCodes);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  return (
    <>
      <ol className="steps">
        <li>
          <p>Scan this QR code with your authenticator app:</p>
          <QrCodeImage text={started.uri} label="QR code of the two-factor secret" />
        </li>
        <li>
          <p>
            Or type this secret into the app (time-based, 6 digits, 30 seconds):{' '}
            <code className="secret" data-testid="two-factor-secret">
              {groupSecret(started.secret)}
            </code>
          </p>
        </li>
        <li>
          <form onSubmit={submit} aria-describedby={error ? 'enrol-error' : undefined}>
            {error && (
              <p id="enrol-error" className="error" role="alert" tabIndex={-1} ref={errorRef}>
                {error}
              </p>
            )}
            <label htmlFor="enrol-code">6-digit code from the app</label>
            <input
              id="enrol-code"
              name="code"
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]{6,7}"
              required
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
            <button type="submit" disabled={busy}>
              {busy ? 'Checking…' : 'Turn on two-factor sign-in'}
            </button>
          </form>
        </li>
      </ol>
    </>
  );
}
