/**
 * Text the hub accepts never contains control characters other than tab, line feed and carriage
 * return: PostgreSQL refuses NUL in text outright (the request then failed as INTERNAL), and the
 * others (C0, DEL, C1: Unicode category Cc) are invisible, break CSV and log lines, and are never
 * part of a name, an address or a search. Transports refuse them at the door with this one rule.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** The first refused control character in `text` as `U+XXXX`, or undefined when there is none. */
export function controlCharacterIn(text: string): string | undefined {
  const match = CONTROL_CHARACTER.exec(text);
  if (!match) return undefined;
  return `U+${match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

export const CONTROL_CHARACTER_RULE =
  'text may not contain control characters (U+0000 to U+001F, U+007F to U+009F) other than tab, line feed and carriage return';
