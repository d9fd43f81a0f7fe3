import { makeTelnyxError, type TelnyxErrorObject } from './telnyx-error.ts';

/**
 * Validates a dial body as the real endpoint does (parameters: Telnyx's "Initiate an outbound AI call",
 * https://developers.telnyx.com/api-reference/texml-rest-commands/initiate-an-outbound-ai-call; codes:
 * https://developers.telnyx.com/development/api-fundamentals/api-errors): 10004 missing,
 * 10026 wrong type, 10032 bad enum value, 10016 not E.164. Out-of-range numbers, bad URLs and the
 * refused Twiml/Texml/Url use 10015 (no code is documented for them; see docs/telnyx-notes.md).
 * Every problem is reported.
 */
export function validateDialBody(body: unknown): TelnyxErrorObject[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return [makeTelnyxError('10015', 'The request body must be a JSON object.')];
  }
  const input = body as Record<string, unknown>;
  const errors: TelnyxErrorObject[] = [];
  const problem = (code: string, key: string, detail: string) => errors.push(makeTelnyxError(code, detail, `/${key}`));

  for (const key of ['Twiml', 'Texml', 'Url']) {
    if (key in input) problem('10015', key, `${key} is not accepted: this endpoint builds its own TeXML for the AI assistant.`);
  }
  const missing = ['From', 'To', 'AIAssistantId'].filter((key) => input[key] === undefined || input[key] === null || input[key] === '');
  for (const key of missing) problem('10004', key, `${key} is required.`);
  for (const [key, rule] of Object.entries(rules)) {
    const value = input[key];
    if (value === undefined || value === null || missing.includes(key)) continue;
    const detail = rule(value);
    if (detail) problem(detail.code, key, `${key} ${detail.message}`);
  }
  checkDynamicVariables(input.AIAssistantDynamicVariables, errors);
  checkCustomHeaders(input.CustomHeaders, errors);
  return errors;
}

type Rule = (value: unknown) => { code: string; message: string } | undefined;

const wrongType = (expected: string) => ({ code: '10026', message: `must be ${expected}.` });

const string: Rule = (value) => (typeof value === 'string' ? undefined : wrongType('a string'));
const boolean: Rule = (value) => (typeof value === 'boolean' ? undefined : wrongType('a boolean'));

const e164: Rule = (value) =>
  typeof value !== 'string'
    ? wrongType('a string')
    : /^\+[1-9]\d{6,14}$/.test(value)
      ? undefined
      : { code: '10016', message: 'must be an E.164 number: + and country code, e.g. +13125550100.' };

const oneOf =
  (allowed: string[]): Rule =>
  (value) =>
    typeof value !== 'string'
      ? wrongType('a string')
      : allowed.includes(value)
        ? undefined
        : { code: '10032', message: `must be one of: ${allowed.join(', ')}.` };

const spaceSeparated =
  (allowed: string[]): Rule =>
  (value) => {
    if (typeof value !== 'string') return wrongType('a string');
    const unknown = value.split(/\s+/).filter((word) => word && !allowed.includes(word));
    return unknown.length ? { code: '10032', message: `has unknown value(s) ${unknown.join(', ')}; allowed: ${allowed.join(' ')}.` } : undefined;
  };

const integerIn =
  (min: number, max = Number.MAX_SAFE_INTEGER): Rule =>
  (value) =>
    !Number.isInteger(value)
      ? wrongType('an integer')
      : (value as number) < min || (value as number) > max
        ? { code: '10015', message: `must be between ${min} and ${max}.` }
        : undefined;

const url: Rule = (value) =>
  typeof value !== 'string' ? wrongType('a string') : isHttpUrl(value) ? undefined : { code: '10015', message: 'must be an http(s) URL.' };

const urlList: Rule = (value) => {
  if (!Array.isArray(value) || !value.every((entry) => typeof entry === 'string')) return wrongType('an array of URLs');
  return value.every(isHttpUrl) ? undefined : { code: '10015', message: 'must contain only http(s) URLs.' };
};

const callerId: Rule = (value) =>
  typeof value !== 'string'
    ? wrongType('a string')
    : /^[A-Za-z0-9 _~!.+-]{1,128}$/.test(value)
      ? undefined
      : { code: '10015', message: 'must be at most 128 letters, digits, spaces and - _ ~ ! . +' };

const method = oneOf(['GET', 'POST']);

const rules: Record<string, Rule> = {
  From: e164,
  To: e164,
  AIAssistantId: string,
  AIAssistantVersion: string,
  CallerId: callerId,
  StatusCallback: url,
  StatusCallbacks: urlList,
  StatusCallbackEvent: spaceSeparated(['initiated', 'ringing', 'answered', 'completed', 'no-answer', 'busy', 'canceled', 'failed', 'analyzed']),
  StatusCallbackMethod: method,
  ConversationCallback: url,
  ConversationCallbacks: urlList,
  ConversationCallbackMethod: method,
  MachineDetection: oneOf(['Enable', 'Disable', 'DetectMessageEnd']),
  DetectionMode: oneOf(['Premium', 'Regular', 'PremiumCallScreening']),
  AsyncAmd: boolean,
  AsyncAmdStatusCallback: url,
  AsyncAmdStatusCallbackMethod: method,
  MachineDetectionTimeout: integerIn(500, 60_000),
  MachineDetectionPromptEndTimeout: integerIn(1000, 120_000),
  MachineDetectionSpeechThreshold: integerIn(1),
  MachineDetectionSpeechEndThreshold: integerIn(1),
  MachineDetectionSilenceTimeout: integerIn(1),
  MachineDetectionBeepProfile: oneOf(['both', 'freq_only']),
  Passports: string,
  TimeLimit: integerIn(30, 14_400),
  Timeout: integerIn(5, 120),
  Record: boolean,
  RecordingChannels: oneOf(['mono', 'dual']),
  RecordingStatusCallback: url,
  RecordingStatusCallbackMethod: method,
  RecordingStatusCallbackEvent: spaceSeparated(['in-progress', 'completed', 'absent']),
  RecordingTimeout: integerIn(0),
  RecordingTrack: oneOf(['inbound', 'outbound', 'both']),
  Trim: oneOf(['trim-silence', 'do-not-trim']),
  SendRecordingUrl: boolean,
  PreferredCodecs: string,
  SipAuthUsername: string,
  SipAuthPassword: string,
  SipRegion: oneOf(['US', 'Europe', 'Canada', 'Australia', 'Middle East']),
};

function checkDynamicVariables(value: unknown, errors: TelnyxErrorObject[]): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'object' || Array.isArray(value)) {
    errors.push(makeTelnyxError('10026', 'AIAssistantDynamicVariables must be an object of string values.', '/AIAssistantDynamicVariables'));
    return;
  }
  for (const [name, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') {
      errors.push(makeTelnyxError('10026', `AIAssistantDynamicVariables.${name} must be a string.`, `/AIAssistantDynamicVariables/${name}`));
    }
  }
}

function checkCustomHeaders(value: unknown, errors: TelnyxErrorObject[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) {
    errors.push(makeTelnyxError('10026', 'CustomHeaders must be an array of {name, value}.', '/CustomHeaders'));
    return;
  }
  value.forEach((header: unknown, index) => {
    for (const key of ['name', 'value']) {
      const entry = (header as Record<string, unknown> | null)?.[key];
      const pointer = `/CustomHeaders/${index}/${key}`;
      if (entry === undefined || entry === null) errors.push(makeTelnyxError('10004', `CustomHeaders[${index}].${key} is required.`, pointer));
      else if (typeof entry !== 'string') errors.push(makeTelnyxError('10026', `CustomHeaders[${index}].${key} must be a string.`, pointer));
    }
  });
}

function isHttpUrl(value: string): boolean {
  try {
    const parsed = new URL(value);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:';
  } catch {
    return false;
  }
}
