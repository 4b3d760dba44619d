import { invalidParam, missingParam, unknownParam } from './sim-errors.js';
import type { FormObject, FormValue } from './sim-form.js';

/**
 * Typed reads of a parsed form, refusing as Stripe does: an unknown parameter, a non-integer
 * amount, a value outside an enum. Every refusal here happens before the endpoint executes.
 */
export class Params {
  constructor(
    private readonly values: FormObject,
    allowed: readonly string[],
  ) {
    for (const name of Object.keys(values)) if (!allowed.includes(name)) throw unknownParam(name);
  }

  has(name: string): boolean {
    return this.values[name] !== undefined && this.values[name] !== '';
  }

  string(name: string): string | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw invalidParam(`Invalid string: ${name} must be a string`, name);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined) throw missingParam(name);
    return value;
  }

  integer(name: string, min = 0, max = 99_999_999): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value))
      throw invalidParam(`Invalid integer: ${value.slice(0, 40)}`, name, 'parameter_invalid_integer');
    const n = Number(value);
    if (n < min)
      throw invalidParam(`This value must be greater than or equal to ${min}.`, name, 'parameter_invalid_integer');
    if (n > max)
      throw invalidParam(`This value must be less than or equal to ${max}.`, name, 'parameter_invalid_integer');
    return n;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false') throw invalidParam(`Invalid boolean: ${value.slice(0, 40)}`, name);
    return value === 'true';
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value))
      throw invalidParam(`Invalid ${name}: must be one of ${allowed.join(', ')}`, name);
    return value as T;
  }

  /** `metadata[key]=value`: at most 50 keys of ≤ 40 characters, values ≤ 500 characters. */
  metadata(): Record<string, string> | undefined {
    const value = this.values.metadata;
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value))
      throw invalidParam('Invalid object: metadata must be a hash', 'metadata');
    const entries = Object.entries(value);
    if (entries.length > 50) throw invalidParam('Metadata can have at most 50 keys.', 'metadata');
    const out: Record<string, string> = {};
    for (const [key, v] of entries) {
      if (typeof v !== 'string') throw invalidParam(`Invalid string: metadata[${key}]`, `metadata[${key}]`);
      if (key.length > 40) throw invalidParam('Metadata keys can be at most 40 characters.', `metadata[${key}]`);
      if (v.length > 500) throw invalidParam('Metadata values can be at most 500 characters.', `metadata[${key}]`);
      out[key] = v;
    }
    return out;
  }

  strings(name: string): string[] | undefined {
    const value = this.values[name];
    if (value === undefined || value === '') return undefined;
    const list = Array.isArray(value) ? value : [value];
    if (!list.every((v): v is string => typeof v === 'string'))
      throw invalidParam(`Invalid array: ${name} must be a list of strings`, name);
    return list;
  }

  hash(name: string): FormObject | undefined {
    const value: FormValue | undefined = this.values[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value === 'string' || Array.isArray(value))
      throw invalidParam(`Invalid object: ${name} must be a hash`, name);
    return value;
  }
}
