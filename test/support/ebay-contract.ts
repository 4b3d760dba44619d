import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * eBay's official OpenAPI models, kept in the repository (test/fixtures/ebay/models, copied
 * unchanged from the project's `../shared/api-models/ebay`, so the tests run from any clone),
 * compiled with ajv so tests can check a request or an answer against a named schema of a model.
 */
const MODELS = new URL('../fixtures/ebay/models/', import.meta.url);

export const EBAY_MODELS = {
  fulfillment: 'sell_fulfillment_v1_oas3.json',
  inventory: 'sell_inventory_v1_oas3.json',
  notification: 'commerce_notification_v1_oas3.json',
} as const;

export type EbayModel = keyof typeof EBAY_MODELS;

// OpenAPI 3.0 schemas are a JSON Schema dialect with extra keywords (`x-…`, `example`), hence
// strict off; formats are documentation in eBay's models (dates are plain strings there).
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
for (const [name, file] of Object.entries(EBAY_MODELS)) {
  ajv.addSchema(JSON.parse(readFileSync(new URL(file, MODELS), 'utf8')) as object, name);
}

export function ebaySchema(model: EbayModel, schema: string): ValidateFunction {
  const validate = ajv.getSchema(`${model}#/components/schemas/${schema}`);
  if (!validate) throw new Error(`No schema ${schema} in the eBay ${model} model`);
  return validate;
}

/** The model's complaints about a value, as readable lines (empty when it conforms). */
export function contractErrors(model: EbayModel, schema: string, value: unknown): string[] {
  const validate = ebaySchema(model, schema);
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`);
}

/** The model's version, for the test names. */
export function modelVersion(model: EbayModel): string {
  const doc = JSON.parse(readFileSync(new URL(EBAY_MODELS[model], MODELS), 'utf8')) as { info: { version: string } };
  return doc.info.version;
}
