import { DialerError } from '../errors.ts';

/** A callback as received: the whole payload (kept raw in call_event) and its flat key/value view. */
export interface ParsedCallback {
  payload: Record<string, unknown>;
  /** Scalar values by key; JSON bodies contribute their top level, `data` and `data.payload`. */
  fields: Map<string, string>;
}

/**
 * Parses a callback body: form-encoded (Telnyx's status/AMD/recording callbacks), JSON (the
 * conversation callbacks' documented shape) or, for GET callbacks, the query string.
 * Throws DialerError('invalid_input') for a body that is not what its content type says.
 */
export function parseCallbackBody(rawBody: Buffer, contentType: string | undefined, rawQuery: string): ParsedCallback {
  if (rawBody.length === 0) return fromForm(rawQuery);
  const mediaType = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) return fromJson(rawBody);
  if (mediaType === '' || mediaType === 'application/x-www-form-urlencoded') return fromForm(rawBody.toString('utf8'));
  throw new DialerError('invalid_input', `unsupported content type "${mediaType}": send form-encoded or JSON`, 'content-type');
}

function fromForm(text: string): ParsedCallback {
  const payload: Record<string, unknown> = {};
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    const earlier = payload[key];
    // A repeated key keeps every value in the stored payload; the flat view uses the last.
    payload[key] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value];
    fields.set(key, value);
  }
  return { payload, fields };
}

function fromJson(rawBody: Buffer): ParsedCallback {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new DialerError('invalid_input', 'body is not valid JSON', 'body');
  }
  if (!isObject(parsed)) throw new DialerError('invalid_input', 'JSON body must be an object', 'body');
  const fields = new Map<string, string>();
  const data = isObject(parsed.data) ? parsed.data : undefined;
  const nested = data && isObject(data.payload) ? data.payload : undefined;
  for (const level of [parsed, data, nested]) {
    if (!level) continue;
    for (const [key, value] of Object.entries(level)) {
      if (typeof value === 'string') fields.set(key, value);
      else if (typeof value === 'number' || typeof value === 'boolean') fields.set(key, String(value));
    }
  }
  return { payload: parsed, fields };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
