/**
 * Stripe's error answers: `{ error: { type, code, decline_code, message, param, doc_url, … } }`
 * with the HTTP status Stripe uses (400 invalid request, 401 auth, 402 card error, 404 missing,
 * 429 rate limit, 5xx api_error). `stored` says whether the endpoint had begun executing: Stripe
 * keeps such a result under the request's Idempotency-Key and replays it, while a request refused
 * before execution (bad parameters, auth, rate limit) stores nothing and may be retried.
 */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  doc_url?: string;
  charge?: string;
  payment_intent?: Record<string, unknown>;
  payment_method?: Record<string, unknown>;
  request_log_url?: string;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly error: StripeErrorBody,
    readonly stored: boolean,
  ) {
    super(error.message);
    this.name = 'StripeApiError';
  }
}

const docUrl = (code: string) => `https://docs.stripe.com/error-codes/${code.replaceAll('_', '-')}`;

/** A parameter problem: refused before execution, nothing stored under the key. */
export function invalidParam(message: string, param: string, code = 'parameter_invalid'): StripeApiError {
  return new StripeApiError(400, { type: 'invalid_request_error', code, param, message, doc_url: docUrl(code) }, false);
}

export function unknownParam(param: string): StripeApiError {
  return invalidParam(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

export function missingParam(param: string): StripeApiError {
  return invalidParam(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function resourceMissing(kind: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(
    404,
    {
      type: 'invalid_request_error',
      code: 'resource_missing',
      param,
      message: `No such ${kind}: '${id.slice(0, 100)}'`,
      doc_url: docUrl('resource_missing'),
    },
    false,
  );
}

/** A request the endpoint ran and refused for the object's state: stored like any result. */
export function stateError(code: string, message: string, param?: string): StripeApiError {
  return new StripeApiError(
    400,
    { type: 'invalid_request_error', code, message, ...(param ? { param } : {}), doc_url: docUrl(code) },
    true,
  );
}

export function unrecognizedUrl(method: string, path: string): StripeApiError {
  return new StripeApiError(
    404,
    {
      type: 'invalid_request_error',
      message: `Unrecognized request URL (${method}: ${path.slice(0, 200)}). Please see https://docs.stripe.com/api or we can help at https://support.stripe.com/.`,
    },
    false,
  );
}

export function errorBody(error: StripeErrorBody): { error: StripeErrorBody } {
  return { error };
}
