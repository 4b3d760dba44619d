import { Enrolment } from './enrolment';

interface Props {
  csrfToken: string;
  onDone(): void;
  signOut(): void;
}

/**
 * The only screen of an admin without a second factor: the hub answers everything else 403
 * (TWO_FACTOR_ENROLMENT_REQUIRED) until they enrol.
 */
export function EnrolmentPage({ csrfToken, onDone, signOut }: Props) {
  return (
    <main className="sign-in" aria-labelledby="enrolment-title">
      <h1 id="enrolment-title">Set up two-factor sign-in</h1>
      <p>Admins sign in with a code from an authenticator app as well as their password.</p>
      <Enrolment csrfToken={csrfToken} onDone={onDone} />
      <button type="button" className="secondary" onClick={signOut}>
        Sign out
      </button>
    </main>
  );
}
