import { useEffect, useRef, useState } from 'react';

interface Props {
  codes: string[];
  onSaved(): void;
}

/**
 * The ten recovery codes, which the hub shows this once: a download, and carrying on only after
 * the user says they have them.
 */
export function RecoveryCodesOnce({ codes, onSaved }: Props) {
  const [saved, setSaved] = useState(false);
  const heading = useRef<HTMLHeadingElement>(null);
  // The screen changed under the user: focus its heading so screen readers start here.
  useEffect(() => heading.current?.focus(), []);
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(`Switchyard recovery codes\n\n${codes.join('\n')}\n`)}`;

  return (
    <section aria-labelledby="recovery-codes-title">
      <h2 id="recovery-codes-title" tabIndex={-1} ref={heading}>
        Your recovery codes
      </h2>
      <p>
        Each code signs you in once instead of the app, if you lose your phone. They are shown only now: save them
        somewhere safe.
      </p>
      <ul className="recovery-codes" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <p>
        <a href={download} download="switchyard-recovery-codes.txt">
          Download the codes
        </a>
      </p>
      <label className="checkbox">
        <input type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} /> I have saved them
      </label>
      <button type="button" disabled={!saved} onClick={onSaved}>
        Continue
      </button>
    </section>
  );
}
