import type { Random } from './random.js';

/** An enum value: printed bare in a GraphQL literal, as a string in JSON variables. */
export class EnumName {
  constructor(readonly name: string) {}
}

/**
 * A number written exactly as given, in both the document and the JSON variables: JSON.stringify
 * cannot write 9007199254740993, 1e400 or -0, and those are the interesting ones.
 */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** A value the fuzzer sends, with the class it came from (reported when it breaks something). */
export interface Labelled {
  label: string;
  value: unknown;
}

/** What an argument expects, as far as hostile values care. */
export type ValueKind =
  'string' | 'id' | 'int' | 'float' | 'boolean' | 'enum' | 'datetime' | 'json' | 'object' | 'list';

const C0 = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('');

const HOSTILE_STRINGS: Labelled[] = [
  { label: 'NUL character', value: 'fuzz\u0000nul' },
  { label: 'lone NUL', value: '\u0000' },
  { label: 'unit separator U+001F', value: 'a\u001fb' },
  { label: 'all C0 controls', value: C0 },
  { label: 'DEL and C1 controls', value: 'x\u007f\u0085\u009f' },
  { label: 'lone high surrogate', value: 'a\ud800b' },
  { label: 'lone low surrogate', value: '\udc00' },
  { label: 'RTL override', value: '\u202eevil\u202c' },
  { label: 'emoji ZWJ sequence', value: '👩‍👩‍👧‍👦🏳️‍🌈' },
  { label: 'BOM and zero-width', value: '\ufeff\u200b\u200d' },
  { label: 'noncharacter U+FFFF', value: '\uffff\ufffe' },
  { label: 'empty string', value: '' },
  { label: 'whitespace only', value: ' \t\n\r ' },
  { label: 'long string (10k)', value: 'x'.repeat(10_000) },
  { label: 'long string (200k, 2-byte)', value: 'é'.repeat(200_000) },
  { label: 'SQL quote', value: "' or 1=1; --" },
  { label: 'LIKE wildcards and backslash', value: '%_\\%' },
  { label: 'number-like string', value: 'NaN' },
  { label: 'number-like string', value: '-Infinity' },
  { label: 'number-like string', value: '9007199254740993' },
  { label: 'number-like string', value: '1e308' },
  { label: 'invalid date string', value: '2026-13-45T99:99:99Z' },
  { label: 'extreme date string', value: '+275760-09-13T00:00:00.000Z' },
  { label: 'extreme date string', value: '-271821-04-20T00:00:00.000Z' },
  { label: 'year-zero date string', value: '0000-01-01T00:00:00Z' },
  { label: 'nil UUID', value: '00000000-0000-0000-0000-000000000000' },
  { label: 'not a UUID', value: 'not-a-uuid' },
  { label: 'markup and path', value: '<script>alert(1)</script>/../../etc/passwd' },
  { label: 'percent-encoding', value: '%00%ff%' },
];

const HOSTILE_NUMBERS: Labelled[] = [
  { label: 'zero', value: 0 },
  { label: 'minus one', value: -1 },
  { label: '2^31-1', value: 2 ** 31 - 1 },
  { label: '2^31', value: 2 ** 31 },
  { label: '-2^31-1', value: -(2 ** 31) - 1 },
  { label: '2^53-1', value: Number.MAX_SAFE_INTEGER },
  { label: '2^53', value: 2 ** 53 },
  { label: '-2^53', value: -(2 ** 53) },
  { label: '2^53+1 (raw)', value: new RawNumber('9007199254740993') },
  { label: '1e308', value: 1e308 },
  { label: '-1e308', value: -1e308 },
  { label: '1e400 (raw, Infinity)', value: new RawNumber('1e400') },
  { label: '30-digit integer (raw)', value: new RawNumber('123456789012345678901234567890') },
  { label: 'minus zero (raw)', value: new RawNumber('-0') },
  { label: 'float', value: 0.5 },
  { label: 'float', value: 1.5 },
  { label: 'smallest float', value: 5e-324 },
  { label: '1e21', value: 1e21 },
];

const WRONG_TYPES: Labelled[] = [
  { label: 'wrong type: true', value: true },
  { label: 'wrong type: string', value: 'seven' },
  { label: 'wrong type: number', value: 7 },
  { label: 'wrong type: empty object', value: {} },
  { label: 'wrong type: object', value: { a: 1, __proto__x: 'y' } },
  { label: 'wrong type: empty list', value: [] },
  { label: 'wrong type: list', value: ['x', 1, null] },
  { label: 'null', value: null },
];

/**
 * A value written out ahead of time, for nesting deeper than a recursive writer (or the
 * fuzzer's own stack) could take: the server is the one whose limits are being tested.
 */
export class PreRendered {
  constructor(
    readonly json: string,
    readonly literal: string,
  ) {}
}

function nestedList(depth: number): PreRendered {
  const text = `${'['.repeat(depth)}1${']'.repeat(depth)}`;
  return new PreRendered(text, text);
}

function nestedObject(depth: number): PreRendered {
  return new PreRendered(
    `${'{"a":'.repeat(depth)}"leaf"${'}'.repeat(depth)}`,
    `${'{a: '.repeat(depth)}"leaf"${'}'.repeat(depth)}`,
  );
}

/** Shapes that stress parsers and coercion rather than business rules. */
function structural(rng: Random): Labelled {
  switch (rng.int(0, 7)) {
    case 0:
      return { label: 'nested list (depth 64)', value: nestedList(64) };
    case 1:
      return { label: 'nested list (depth 10000)', value: nestedList(10_000) };
    case 2:
      return { label: 'nested object (depth 64)', value: nestedObject(64) };
    case 3:
      return { label: 'nested object (depth 10000)', value: nestedObject(10_000) };
    case 4:
      return { label: 'huge list of strings (20k)', value: Array.from({ length: 20_000 }, () => 'x') };
    case 5:
      return { label: 'huge list of numbers (100k)', value: Array.from({ length: 100_000 }, () => 0) };
    case 6:
      return {
        label: 'huge list of objects (1k)',
        value: Array.from({ length: 1_000 }, (_, i) => ({ sku: `S${i}`, lineId: `${i}`, quantity: 1 })),
      };
    default:
      return {
        // Enough keys to show an error echoing the whole value back (5,000 stall the hub for 30 s+).
        label: 'object with 300 keys',
        value: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])),
      };
  }
}

/**
 * One hostile value for an argument of the given kind: mostly values of the right type that are
 * out of range or malformed, sometimes the wrong type, null, or a shape made to exhaust the server.
 */
export function hostileValue(kind: ValueKind, rng: Random, enumValues: readonly string[] = []): Labelled {
  const roll = rng.next();
  if (roll < 0.15) return rng.pick(WRONG_TYPES);
  if (roll < 0.25) return structural(rng);
  switch (kind) {
    case 'string':
    case 'id':
    case 'datetime':
      return rng.chance(0.85) ? rng.pick(HOSTILE_STRINGS) : rng.pick(HOSTILE_NUMBERS);
    case 'int':
    case 'float':
      return rng.chance(0.85) ? rng.pick(HOSTILE_NUMBERS) : rng.pick(HOSTILE_STRINGS);
    case 'enum':
      return rng.pick([
        { label: 'unknown enum value', value: new EnumName('NOT_A_VALUE') },
        {
          label: 'enum value in the wrong case',
          value: new EnumName(flipCase(rng.pick(enumValues.length ? enumValues : ['X']))),
        },
        { label: 'enum value as a string literal', value: rng.pick(enumValues.length ? enumValues : ['X']) },
        { label: 'enum value with a NUL', value: `${enumValues[0] ?? 'X'}\u0000` },
      ]);
    case 'boolean':
      return rng.pick([
        { label: 'boolean as string', value: 'true' },
        { label: 'boolean as number', value: 1 },
      ]);
    default:
      return rng.chance(0.5) ? structural(rng) : rng.pick(WRONG_TYPES);
  }
}

function flipCase(name: string): string {
  return name === name.toUpperCase() ? name.toLowerCase() : name.toUpperCase();
}

/** The JSON text of variables, writing RawNumber and EnumName as they are meant. */
export function toJson(value: unknown): string {
  if (value instanceof PreRendered) return value.json;
  if (value instanceof RawNumber) return value.text;
  if (value instanceof EnumName) return JSON.stringify(value.name);
  if (Array.isArray(value)) return `[${value.map(toJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJson(v)}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** The same value as a GraphQL literal, for operations that inline their arguments. */
export function toGraphQLLiteral(value: unknown): string {
  if (value instanceof PreRendered) return value.literal;
  if (value instanceof RawNumber) return value.text;
  if (value instanceof EnumName) return value.name;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : JSON.stringify(String(value));
  if (Array.isArray(value)) return `[${value.map(toGraphQLLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.entries(value)
      .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : '_bad'}: ${toGraphQLLiteral(v)}`)
      .join(', ')}}`;
  return JSON.stringify(value) ?? 'null';
}
