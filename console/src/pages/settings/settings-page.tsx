import { useState } from 'react';
import { useSession } from '../../session/session-context';
import { Enrolment } from '../../two-factor/enrolment';

/** The user's own settings; for now their two-factor sign-in. */
export function SettingsPage() {
  return (
    <section aria-labelledby="page-title">
      <h1 id="page-title">Settings</h1>
      <TwoFactorSettings />
    </section>
  );
}

function TwoFactorSettings() {
  const { session, refresh } = useSession();
  const [enrolling, setEnrolling] = useState(false);
  const { twoFactor } = session;

  return (
    <section aria-labelledby="two-factor-title">
      <h2 id="two-factor-title">Two-factor sign-in</h2>
      {twoFactor.enabled ? (
        <p>
          On: you sign in with a code from your authenticator app.
          {twoFactor.recoveryCodesLeft !== undefined && ` ${twoFactor.recoveryCodesLeft} recovery codes left.`}
        </p>
      ) : enrolling ? (
        <Enrolment csrfToken={session.csrfToken} onDone={() => void refresh()} />
      ) : (
        <>
          <p>Off: you sign in with your password only.</p>
          <button type="button" onClick={() => setEnrolling(true)}>
            Set up two-factor sign-in
          </button>
        </>
      )}
    </section>
  );
}
