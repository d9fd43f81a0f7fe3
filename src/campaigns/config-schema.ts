import { z } from 'zod';
import { retryableOutcomes } from '../attempts/retry-policy.ts';
import { reservedResultNames } from '../results/result-columns.ts';
import {
  booleanFlag,
  clockTime,
  commaSeparated,
  countryCode,
  e164Number,
  httpMethod,
  httpUrlList,
  isClockTime,
  integerIn,
  nonEmptyText,
  oneOf,
  patterned,
  ruleError,
  spaceSeparated,
  uniqueListOf,
} from './config-rules.ts';

/**
 * A campaign's settings: every parameter of Telnyx's "Initiate an outbound AI call" the operator may
 * choose (flat camelCase keys mirroring Telnyx's PascalCase body keys), plus the dialer's own retry
 * policy and calling window. The request builder, not the operator, sets To, StatusCallback,
 * ConversationCallback, AsyncAmdStatusCallback and RecordingStatusCallback (our receiver's URLs).
 * Rules follow that endpoint's parameter reference
 * (https://developers.telnyx.com/api-reference/texml-rest-commands/initiate-an-outbound-ai-call),
 * so a bad value is refused here, before any call, rather than by Telnyx on every contact.
 */

export const statusCallbackEvents = ['initiated', 'ringing', 'answered', 'completed', 'no-answer', 'busy', 'canceled', 'failed', 'analyzed'] as const;

// The dialer learns each call's outcome (and frees its concurrency slot) from these: without them a
// call would only end when the reaper gives up on it.
export const terminalStatusCallbackEvents = ['completed', 'no-answer', 'busy', 'canceled', 'failed'] as const;

export const recordingStatusCallbackEvents = ['in-progress', 'completed', 'absent'] as const;

export const knownCodecs = ['PCMU', 'PCMA', 'G722', 'G729', 'OPUS', 'AMR-WB'] as const;

export const weekDays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** Calls are never placed outside 08:00-21:00 in the contact's local time, whatever the window says. */
export const legalCallingHours = { start: '08:00', end: '21:00' } as const;

// Keys Telnyx accepts elsewhere but refuses on this endpoint; named so the refusal can say why.
export const refusedTexmlKeys = ['twiml', 'texml', 'url'] as const;

const retryObject = z.strictObject(
  {
    maxAttempts: integerIn(1, 10, 'must be an integer from 1 to 10 (dials per contact, the first included)').default(1),
    retryOn: uniqueListOf(retryableOutcomes, 0).default(['no_answer', 'busy']),
    delaySeconds: integerIn(60, 30 * 86_400, 'must be an integer from 60 to 2592000 (seconds between dials of one contact)').default(3600),
  },
  { error: ruleError('must be an object { maxAttempts, retryOn, delaySeconds }') },
);

const callingWindowObject = z.strictObject(
  {
    start: clockTime().default('09:00'),
    end: clockTime().default('20:00'),
    days: uniqueListOf(weekDays, 1)
      .default(['mon', 'tue', 'wed', 'thu', 'fri'])
      .transform((days) => weekDays.filter((day) => days.includes(day))),
  },
  { error: ruleError('must be an object { start, end, days }') },
);

const callingWindowSchema = callingWindowObject
  .superRefine((window, ctx) => {
    // Refinements also run after a format issue; compare only well-formed times.
    if (!isClockTime(window.start) || !isClockTime(window.end)) return;
    const why = `: calls are never placed before ${legalCallingHours.start} or after ${legalCallingHours.end} in the contact's local time`;
    if (window.start < legalCallingHours.start) ctx.addIssue({ code: 'custom', path: ['start'], message: `must be ${legalCallingHours.start} or later${why}` });
    if (window.end > legalCallingHours.end) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be ${legalCallingHours.end} or earlier${why}` });
    if (window.start >= window.end) ctx.addIssue({ code: 'custom', path: ['end'], message: `must be later than start (${window.start})` });
  })
  .prefault({});

const customHeaderSchema = z.strictObject(
  {
    name: patterned(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, 'must be a non-empty header name (letters, digits and - . _ etc., no spaces)'),
    value: patterned(/^[^\r\n]+$/, 'must be a non-empty string on one line'),
  },
  { error: ruleError('must be an object { name, value }') },
);

const dynamicVariableName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'variable names are letters, digits and _, not starting with a digit (as in {{first_name}})' })
  .refine((name) => !name.startsWith('telnyx_'), { error: 'variable names starting with telnyx_ are reserved: Telnyx sets them itself' });

// Post-call results (https://developers.telnyx.com/api-reference/conversations/get-insights-for-a-conversation):
// insight ids get labels (results columns are named by them); goal and opt-out are rules over one
// insight's JSON result.
const insightLabelRule = 'must be a label of letters, digits and _ (not starting with a digit), at most 63 characters: it names a results column';
export const insightLabelPattern = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;
const insightId = z.string().regex(/^[A-Za-z0-9._:-]{1,200}$/, { error: 'insight ids are letters, digits and . _ : - (the id of an insight template)' });
const jsonPathRule = 'must be a non-empty path of field names separated by dots (e.g. "confirmed" or "patient.confirmed")';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function insightRuleObject<Extra extends z.ZodRawShape>(extra: Extra, keys: string) {
  return z.strictObject(
    {
      insight: patterned(insightLabelPattern, `${insightLabelRule} (one of the labels in conversation.insights)`),
      path: patterned(/^[^.\s]+(\.[^.\s]+)*$/, jsonPathRule),
      // Compared with the value at `path` as JSON (deep equality).
      equals: z
        .unknown()
        .superRefine((value, ctx) => {
          if (value === undefined)
            ctx.addIssue({ code: 'custom', message: 'is required: the JSON value (string, number, true/false, null, array or object) the field must equal' });
        })
        // A config is parsed from JSON, so whatever came is a JSON value.
        .transform((value) => value as JsonValue),
      ...extra,
    },
    { error: ruleError(`must be an object { ${keys} }`) },
  );
}

const goalRuleObject = insightRuleObject({}, 'insight, path, equals');
const optOutRuleObject = insightRuleObject({ list: oneOf(['campaign', 'global']).default('campaign') }, 'insight, path, equals, list');

const conversationObject = z.strictObject(
  {
    transcript: booleanFlag().default(true),
    insightsWaitSeconds: integerIn(1, 7 * 86_400, 'must be an integer from 1 to 604800 (seconds after a call ends to wait for its insights)').default(900),
    insights: z
      .record(insightId, patterned(insightLabelPattern, insightLabelRule), { error: ruleError('must be an object of insight id -> label') })
      .default({}),
    goal: goalRuleObject.optional(),
    optOut: optOutRuleObject.optional(),
  },
  { error: ruleError('must be an object { transcript, insightsWaitSeconds, insights, goal, optOut }') },
);

const conversationSchema = conversationObject.superRefine(
  (conversation, ctx) => {
    // Also runs when another key of the block is broken (so every rule is reported at once): read defensively.
    const insights = isPlainObject(conversation.insights) ? conversation.insights : {};
    const labels = Object.values(insights).filter((label) => typeof label === 'string');
    labels.forEach((label, index) => {
      if (reservedResultNames.includes(label))
        ctx.addIssue({
          code: 'custom',
          path: ['insights', Object.keys(insights)[index]!],
          message: `'${label}' is a results column already: choose another label`,
        });
      else if (labels.indexOf(label) !== index)
        ctx.addIssue({
          code: 'custom',
          path: ['insights', Object.keys(insights)[index]!],
          message: `repeats the label '${label}': labels name columns and must be distinct`,
        });
    });
    for (const key of ['goal', 'optOut'] as const) {
      const rule: unknown = conversation[key];
      if (isPlainObject(rule) && typeof rule.insight === 'string' && insightLabelPattern.test(rule.insight) && !labels.includes(rule.insight))
        ctx.addIssue({
          code: 'custom',
          path: [key, 'insight'],
          message: labels.length
            ? `names no labeled insight: must be one of the labels in conversation.insights (${[...new Set(labels)].join(', ')})`
            : 'names no labeled insight: give the insight a label in conversation.insights first',
        });
    }
  },
  { when: (payload) => isPlainObject(payload.value) },
);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type ConversationConfig = z.output<typeof conversationObject>;

const milliseconds = (rule: string) => integerIn(1, 60_000, `must be an integer from 1 to 60000 (milliseconds)${rule}`);

export const campaignConfigSchema = z
  .strictObject(
    {
      name: nonEmptyText('must be a non-empty name of at most 200 characters').pipe(z.string().max(200, { error: 'must be at most 200 characters' })),
      connectionId: patterned(/^[A-Za-z0-9._:-]{1,128}$/, 'must be the TeXML application (connection) id: letters, digits and . _ : - only'),
      assistantId: patterned(/^[A-Za-z0-9._:-]{1,200}$/, 'must be the AI assistant id (e.g. assistant-…): letters, digits and . _ : - only'),
      assistantVersion: patterned(/^\S{1,200}$/, 'must be a non-empty assistant version id without spaces').optional(),
      from: e164Number(),
      callerId: patterned(/^[A-Za-z0-9 _~!.+-]{1,128}$/, 'must be 1 to 128 characters of letters, digits, spaces and - _ ~ ! . +').optional(),
      callsPerSecond: z
        .number({ error: ruleError('must be a number above 0 and at most 1000 (dials per second)') })
        .gt(0, { error: 'must be a number above 0 and at most 1000 (dials per second)' })
        .max(1000, { error: 'must be a number above 0 and at most 1000 (dials per second)' }),
      maxConcurrentCalls: integerIn(1, 100_000, 'must be an integer from 1 to 100000 (calls in progress at once)'),
      defaultCountry: countryCode().default('US'),
      dynamicVariables: z
        .record(dynamicVariableName, z.string({ error: ruleError('must be a string (write numbers and true/false in quotes)') }), {
          error: ruleError('must be an object of variable name -> string'),
        })
        .optional(),
      statusCallbacks: httpUrlList().optional(),
      statusCallbackEvent: spaceSeparated(
        statusCallbackEvents,
        terminalStatusCallbackEvents,
        ' (the dialer learns every call outcome from these events)',
      ).default(statusCallbackEvents.join(' ')),
      statusCallbackMethod: httpMethod().default('POST'),
      conversationCallbacks: httpUrlList().optional(),
      conversationCallbackMethod: httpMethod().default('POST'),
      customHeaders: z.array(customHeaderSchema, { error: ruleError('must be an array of { name, value } objects') }).optional(),
      machineDetection: oneOf(['Enable', 'Disable', 'DetectMessageEnd']).default('Disable'),
      detectionMode: oneOf(['Premium', 'Regular', 'PremiumCallScreening']).default('Regular'),
      asyncAmd: booleanFlag().default(false),
      asyncAmdStatusCallbackMethod: httpMethod().default('POST'),
      machineDetectionTimeout: integerIn(500, 60_000, 'must be an integer from 500 to 60000 (milliseconds)').default(30_000),
      machineDetectionPromptEndTimeout: integerIn(1000, 120_000, 'must be an integer from 1000 to 120000 (milliseconds)').optional(),
      machineDetectionSpeechThreshold: milliseconds(', ignored by Premium detection').optional(),
      machineDetectionSpeechEndThreshold: milliseconds(', ignored by Premium detection').optional(),
      machineDetectionSilenceTimeout: milliseconds(', ignored by Premium detection').optional(),
      machineDetectionBeepProfile: oneOf(['both', 'freq_only']).optional(),
      passports: nonEmptyText('must be a non-empty string of passport identifiers').optional(),
      timeLimit: integerIn(30, 14_400, 'must be an integer from 30 to 14400 (seconds)').default(14_400),
      timeout: integerIn(5, 120, 'must be an integer from 5 to 120 (seconds)').default(30),
      record: booleanFlag().default(false),
      recordingChannels: oneOf(['mono', 'dual']).default('mono'),
      recordingStatusCallbackMethod: httpMethod().default('POST'),
      recordingStatusCallbackEvent: spaceSeparated(recordingStatusCallbackEvents).default('completed'),
      recordingTimeout: integerIn(0, Number.MAX_SAFE_INTEGER, 'must be an integer of 0 or more (seconds of silence, 0 = no timeout)').default(0),
      recordingTrack: oneOf(['inbound', 'outbound', 'both']).default('both'),
      trim: oneOf(['trim-silence', 'do-not-trim']).default('trim-silence'),
      sendRecordingUrl: booleanFlag().default(true),
      preferredCodecs: commaSeparated(knownCodecs, 'codec').optional(),
      sipAuthUsername: nonEmptyText().optional(),
      sipAuthPassword: z
        .string({ error: ruleError('must be a non-empty string') })
        .min(1, { error: 'must be a non-empty string' })
        .optional(),
      sipRegion: oneOf(['US', 'Europe', 'Canada', 'Australia', 'Middle East']).default('US'),
      retry: retryObject.prefault({}),
      callingWindow: callingWindowSchema,
      conversation: conversationSchema.optional(),
    },
    { error: ruleError('must be a JSON object of campaign settings') },
  )
  .superRefine((config, ctx) => {
    if (config.machineDetectionPromptEndTimeout !== undefined && config.detectionMode !== 'PremiumCallScreening')
      ctx.addIssue({
        code: 'custom',
        path: ['machineDetectionPromptEndTimeout'],
        message: 'is only allowed with detectionMode PremiumCallScreening',
      });
    if (config.retry.retryOn.includes('voicemail') && config.machineDetection === 'Disable')
      ctx.addIssue({
        code: 'custom',
        path: ['retry', 'retryOn'],
        message: "'voicemail' needs machineDetection Enable or DetectMessageEnd: without it no call is known to reach voicemail",
      });
    if ((config.sipAuthUsername === undefined) !== (config.sipAuthPassword === undefined))
      ctx.addIssue({
        code: 'custom',
        path: [config.sipAuthUsername === undefined ? 'sipAuthUsername' : 'sipAuthPassword'],
        message: 'sipAuthUsername and sipAuthPassword go together: give both or neither',
      });
  });

export type CampaignConfig = z.output<typeof campaignConfigSchema>;
/** What an operator writes (defaults not yet applied). */
export type CampaignConfigInput = z.input<typeof campaignConfigSchema>;

/**
 * The keys an operator may write in the object at `path` (for "did you mean" hints): the top level,
 * `retry`, `callingWindow`, a `customHeaders` entry, `conversation` and its `goal` and `optOut`; every key at any depth when no path is given.
 */
export function knownConfigKeys(path?: readonly PropertyKey[]): string[] {
  const nested: Record<string, z.ZodObject> = {
    retry: retryObject,
    callingWindow: callingWindowObject,
    customHeaders: customHeaderSchema,
    conversation: conversationObject,
    'conversation.goal': goalRuleObject,
    'conversation.optOut': optOutRuleObject,
  };
  if (path === undefined) return [campaignConfigSchema, ...Object.values(nested)].flatMap((schema) => Object.keys(schema.shape));
  const named = path.filter((segment) => typeof segment === 'string').join('.');
  const schema = path.length === 0 ? campaignConfigSchema : (nested[named] ?? nested[String(path[0])]);
  return schema ? Object.keys(schema.shape) : knownConfigKeys();
}

export const redactedMark = '[redacted]';

/** The config as it may be shown or exported: the SIP password and any password inside a callback URL replaced. */
export function redactConfig(config: CampaignConfig): CampaignConfig {
  const redacted = { ...config };
  if (redacted.sipAuthPassword !== undefined) redacted.sipAuthPassword = redactedMark;
  if (redacted.statusCallbacks) redacted.statusCallbacks = redacted.statusCallbacks.map(redactUrlPassword);
  if (redacted.conversationCallbacks) redacted.conversationCallbacks = redacted.conversationCallbacks.map(redactUrlPassword);
  return redacted;
}

// Basic-auth credentials in a callback URL (https://user:secret@host/) are as secret as the SIP password.
function redactUrlPassword(url: string): string {
  const { password } = new URL(url);
  return password ? url.replace(`:${password}@`, `:${redactedMark}@`) : url;
}
