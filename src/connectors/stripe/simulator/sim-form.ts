/**
 * Stripe's v1 request encoding: `application/x-www-form-urlencoded` with bracketed keys for
 * nesting (`metadata[orderId]=42`, `expand[0]=latest_charge`, `expand[]=latest_charge`), as
 * stripe-node writes it. Parsed into plain objects; an object whose keys are all indices becomes
 * an array.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

export class FormError extends Error {}

const KEY = /^([^[\]]+)((?:\[[^[\]]*\])*)$/;

export function parseForm(text: string): FormObject {
  const root: FormObject = {};
  for (const [rawKey, value] of new URLSearchParams(text)) {
    const match = KEY.exec(rawKey);
    if (!match) throw new FormError(`Invalid parameter name: ${rawKey.slice(0, 64)}`);
    const path = [match[1]!, ...[...match[2]!.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    assign(root, path, value, rawKey);
  }
  return arrayify(root) as FormObject;
}

function assign(root: FormObject, path: string[], value: string, rawKey: string): void {
  let node = root;
  for (let i = 0; i < path.length; i++) {
    let segment = path[i]!;
    // `a[]` appends: give it the next free index.
    if (segment === '') segment = String(Object.keys(node).length);
    if (i === path.length - 1) {
      if (segment in node && typeof node[segment] !== 'string')
        throw new FormError(`Invalid parameter: ${rawKey.slice(0, 64)} is both a value and a hash`);
      node[segment] = value;
      return;
    }
    const next = node[segment];
    if (next === undefined) node = node[segment] = {};
    else if (typeof next === 'string')
      throw new FormError(`Invalid parameter: ${rawKey.slice(0, 64)} is both a value and a hash`);
    else node = next as FormObject;
  }
}

function arrayify(value: FormValue): FormValue {
  if (typeof value === 'string' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted = Object.fromEntries(keys.map((k) => [k, arrayify(value[k]!)]));
  if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
    return keys
      .map(Number)
      .sort((a, b) => a - b)
      .map((k) => converted[String(k)]!);
  }
  return converted;
}
