/**
 * Text the hub accepts never contains control characters other than tab, line feed and carriage
 * return: PostgreSQL refuses NUL in text outright (the request then failed as INTERNAL), and the
 * others (C0, DEL, C1: Unicode category Cc) are invisible, break CSV and log lines, and are never
 * part of a name, an address or a search. Nor does it contain an unpaired UTF-16 surrogate
 * (`"\ud800"` in JSON): that is not Unicode text at all, and PostgreSQL's jsonb refused it as
 * INTERNAL. Transports refuse both at the door with this one rule.
 *
 * Returns the first refused character in `text` as `U+XXXX`, or undefined when none.
 */
export function controlCharacterIn(text: string): string | undefined {
  // A plain loop: this runs on every string of every request, and beats a regular expression.
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 ? c !== 0x09 && c !== 0x0a && c !== 0x0d : c >= 0x7f && c <= 0x9f) return codePoint(c);
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = i + 1 < text.length ? text.charCodeAt(i + 1) : 0;
      if (c >= 0xdc00 || next < 0xdc00 || next > 0xdfff) return codePoint(c); // lone high or low half
      i++; // a valid pair: skip its low half
    }
  }
  return undefined;
}

function codePoint(c: number): string {
  return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
}

export const CONTROL_CHARACTER_RULE =
  'text may not contain control characters (U+0000 to U+001F, U+007F to U+009F) other than tab, line feed and carriage return, nor unpaired surrogates (U+D800 to U+DFFF)';
