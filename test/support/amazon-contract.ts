import { Ajv, type ValidateFunction } from 'ajv';
import { amazonFixture } from './fixtures.js';

/*
 * Amazon's official Swagger 2.0 models (test/fixtures/amazon/models) as validators: request
 * bodies and query parameters we send, and the answers the simulator gives, by path, method and
 * status. Swagger 2.0 definitions are JSON Schema (draft 4 subset); the rest of the document
 * (paths, parameters) is read here and turned into schemas.
 */

interface SwaggerParameter {
  name: string;
  in: 'query' | 'path' | 'body' | 'header';
  required?: boolean;
  type?: string;
  items?: Record<string, unknown>;
  schema?: Record<string, unknown>;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  maxItems?: number;
  minItems?: number;
}

interface SwaggerOperation {
  parameters?: SwaggerParameter[];
  responses: Record<string, { schema?: Record<string, unknown>; headers?: Record<string, unknown> }>;
}

interface SwaggerModel {
  paths: Record<string, Record<string, SwaggerOperation>>;
  definitions: Record<string, unknown>;
}

/** Which model holds which path prefix. */
const MODELS: [RegExp, string][] = [
  [/^\/orders\/2026-01-01\//, 'orders_2026-01-01.json'],
  [/^\/orders\/v0\//, 'ordersV0.json'],
  [/^\/feeds\/2021-06-30\//, 'feeds_2021-06-30.json'],
  [/^\/listings\/2021-08-01\//, 'listingsItems_2021-08-01.json'],
];

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export class SpApiContract {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly models = new Map<string, SwaggerModel>();
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    this.ajv.addFormat('date-time', (v: string) => RFC3339.test(v) && !Number.isNaN(Date.parse(v)));
    this.ajv.addFormat('date', (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v));
    // Swagger's numeric formats only say how wide the number is.
    this.ajv.addFormat('double', { type: 'number', validate: () => true });
    for (const [, file] of MODELS) {
      const model = amazonFixture<SwaggerModel>(`models/${file}`);
      this.models.set(file, model);
      this.ajv.addSchema({ $id: file, definitions: model.definitions });
    }
  }

  /** The model's template ("/orders/v0/orders/{orderId}/shipmentConfirmation") and operation for a real path. */
  operation(path: string, method: string): { file: string; template: string; op: SwaggerOperation } {
    const file = MODELS.find(([prefix]) => prefix.test(path))?.[1];
    if (!file) throw new Error(`No Amazon model covers ${path}`);
    const model = this.models.get(file)!;
    for (const [template, ops] of Object.entries(model.paths)) {
      const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
      const op = ops[method.toLowerCase()];
      if (pattern.test(path) && op) return { file, template, op };
    }
    throw new Error(`${file} has no ${method} ${path}`);
  }

  /** Errors of an answer against the response schema declared for its status ([] when valid). */
  responseErrors(path: string, method: string, status: number, body: unknown): string[] {
    const { file, template, op } = this.operation(path, method);
    const response = op.responses[String(status)];
    if (!response) return [`${method} ${template} declares no ${status} answer`];
    if (!response.schema) return body === undefined || body === '' ? [] : [`${status} declares no body, got one`];
    return this.check(`${file}|${template}|${method}|${status}`, this.rebase(file, response.schema), body);
  }

  /** The response headers the model declares for this answer (e.g. x-amzn-RateLimit-Limit). */
  declaredHeaders(path: string, method: string, status: number): string[] {
    return Object.keys(this.operation(path, method).op.responses[String(status)]?.headers ?? {});
  }

  /** Errors of a request body against the operation's body parameter schema. */
  bodyErrors(path: string, method: string, body: unknown): string[] {
    const { file, template, op } = this.operation(path, method);
    const param = op.parameters?.find((p) => p.in === 'body');
    if (!param?.schema) return body === undefined ? [] : [`${method} ${template} takes no body`];
    return this.check(`${file}|${template}|${method}|body`, this.rebase(file, param.schema), body);
  }

  /**
   * Errors of a query string against the operation's query parameters: required ones present,
   * no unknown ones, each value of its type, enum and bounds (arrays comma-separated, csv).
   */
  queryErrors(path: string, method: string, query: Record<string, string>): string[] {
    const { file, template, op } = this.operation(path, method);
    const params = (op.parameters ?? []).filter((p) => p.in === 'query');
    const properties: Record<string, unknown> = {};
    const values: Record<string, unknown> = {};
    for (const p of params) {
      const { name: _n, in: _i, required: _r, schema: _s, ...schema } = p as SwaggerParameter & Record<string, unknown>;
      for (const key of Object.keys(schema)) if (key.startsWith('x-') || key === 'description') delete schema[key];
      properties[p.name] = schema;
    }
    for (const [name, raw] of Object.entries(query)) {
      const param = params.find((p) => p.name === name);
      if (param?.type === 'array') values[name] = raw.split(',');
      else if (param?.type === 'integer' || param?.type === 'number') values[name] = Number(raw);
      else values[name] = raw;
    }
    const schema = {
      type: 'object',
      properties,
      required: params.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    };
    return this.check(`${file}|${template}|${method}|query`, schema, values);
  }

  /** A schema fragment whose `#/definitions/X` refs point into its model. */
  private rebase(file: string, schema: Record<string, unknown>): Record<string, unknown> {
    return JSON.parse(JSON.stringify(schema).replaceAll('"#/definitions/', `"${file}#/definitions/`)) as Record<
      string,
      unknown
    >;
  }

  private check(key: string, schema: Record<string, unknown>, value: unknown): string[] {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      this.compiled.set(key, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}`.trim());
  }
}
