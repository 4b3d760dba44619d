import { useState } from 'react';
import { useSession } from '../session/session-context';

export function SignOutButton() {
  const { signOut } = useSession();
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <button type="button" className="secondary" onClick={() => signOut().catch((e: unknown) => setError(String(e)))}>
        Sign out
      </button>
      {error && <span role="alert">{error}</span>}
    </>
  );
}
