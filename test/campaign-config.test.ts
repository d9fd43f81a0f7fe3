import { describe, expect, it } from 'vitest';
import { formatConfigIssues, formatFieldPath } from '../src/campaigns/config-issues.ts';
import { campaignConfigSchema, redactConfig, type CampaignConfig } from '../src/campaigns/config-schema.ts';
import { parseCampaignConfig } from '../src/campaigns/parse-campaign-config.ts';
import { DialerError } from '../src/errors.ts';

const minimal = {
  name: 'Reminders',
  connectionId: '2469501183912961234',
  assistantId: 'assistant-6f1c2b7e',
  from: '+13125550123',
  callsPerSecond: 2,
  maxConcurrentCalls: 5,
};

/** The "<field>: <rule>" lines for the minimal config with `patch` applied (undefined values delete keys). */
function issuesWith(patch: Record<string, unknown>): string[] {
  const input: Record<string, unknown> = { ...minimal, ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined) delete input[key];
  const result = campaignConfigSchema.safeParse(input);
  return result.success ? [] : formatConfigIssues(result.error);
}

function parsedWith(patch: Record<string, unknown>): CampaignConfig {
  return campaignConfigSchema.parse({ ...minimal, ...patch });
}

describe('campaign config: defaults', () => {
  it('applies every documented default to a minimal config', () => {
    expect(parsedWith({})).toEqual({
      ...minimal,
      defaultCountry: 'US',
      statusCallbackEvent: 'initiated ringing answered completed no-answer busy canceled failed analyzed',
      statusCallbackMethod: 'POST',
      conversationCallbackMethod: 'POST',
      machineDetection: 'Disable',
      detectionMode: 'Regular',
      asyncAmd: false,
      asyncAmdStatusCallbackMethod: 'POST',
      machineDetectionTimeout: 30000,
      timeLimit: 14400,
      timeout: 30,
      record: false,
      recordingChannels: 'mono',
      recordingStatusCallbackMethod: 'POST',
      recordingStatusCallbackEvent: 'completed',
      recordingTimeout: 0,
      recordingTrack: 'both',
      trim: 'trim-silence',
      sendRecordingUrl: true,
      sipRegion: 'US',
      retry: { maxAttempts: 1, retryOn: ['no_answer', 'busy'], delaySeconds: 3600 },
      callingWindow: { start: '09:00', end: '20:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] },
    });
  });

  it('fills defaults inside a partly given retry policy and calling window', () => {
    const config = parsedWith({ retry: { maxAttempts: 3 }, callingWindow: { end: '18:00' } });
    expect(config.retry).toEqual({ maxAttempts: 3, retryOn: ['no_answer', 'busy'], delaySeconds: 3600 });
    expect(config.callingWindow).toEqual({ start: '09:00', end: '18:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'] });
  });

  it('normalises lists: week order for days, single spaces for events, upper case for codecs', () => {
    const config = parsedWith({
      callingWindow: { days: ['sat', 'mon'] },
      statusCallbackEvent: '  completed   no-answer busy canceled failed ',
      preferredCodecs: 'pcmu, g722',
    });
    expect(config.callingWindow.days).toEqual(['mon', 'sat']);
    expect(config.statusCallbackEvent).toBe('completed no-answer busy canceled failed');
    expect(config.preferredCodecs).toBe('PCMU,G722');
  });

  it('parses its own output to the same config (stored configs are re-read by the dialer)', () => {
    const config = parsedWith({
      callingWindow: { days: ['sat', 'mon'] },
      statusCallbackEvent: 'completed  no-answer busy canceled failed',
      preferredCodecs: 'pcmu,g722',
      sipAuthUsername: 'agent',
      sipAuthPassword: 'pw',
    });
    expect(campaignConfigSchema.parse(JSON.parse(JSON.stringify(config)))).toEqual(config);
  });

  it('trims the name', () => {
    expect(parsedWith({ name: '  Reminders  ' }).name).toBe('Reminders');
  });
});

describe('campaign config: each rule accepts what Telnyx accepts', () => {
  it.each<[string, Record<string, unknown>]>([
    ['name at 200 characters', { name: 'n'.repeat(200) }],
    ['assistantVersion', { assistantVersion: 'main' }],
    ['callerId with every allowed character', { callerId: 'Lakeside Dental-1 _~!.+' }],
    ['callerId of 128 characters', { callerId: 'a'.repeat(128) }],
    ['a UK from number', { from: '+442071838750' }],
    ['fractional callsPerSecond', { callsPerSecond: 0.5 }],
    ['callsPerSecond at the maximum', { callsPerSecond: 1000 }],
    ['maxConcurrentCalls of 1', { maxConcurrentCalls: 1 }],
    ['defaultCountry GB', { defaultCountry: 'GB' }],
    ['dynamicVariables of strings', { dynamicVariables: { first_name: 'Ann', _code: '42' } }],
    ['statusCallbacks', { statusCallbacks: ['https://crm.example.com/a', 'http://10.0.0.5:8080/b'] }],
    ['statusCallbackEvent with only terminal events', { statusCallbackEvent: 'failed canceled busy no-answer completed' }],
    ['statusCallbackMethod GET', { statusCallbackMethod: 'GET' }],
    ['conversationCallbacks', { conversationCallbacks: ['https://crm.example.com/c'], conversationCallbackMethod: 'GET' }],
    ['customHeaders', { customHeaders: [{ name: 'X-Campaign', value: 'spring 2026' }] }],
    ['machineDetection DetectMessageEnd', { machineDetection: 'DetectMessageEnd', detectionMode: 'Premium', asyncAmd: true }],
    ['asyncAmdStatusCallbackMethod GET', { asyncAmdStatusCallbackMethod: 'GET' }],
    ['machineDetectionTimeout bounds', { machineDetectionTimeout: 500 }],
    ['machineDetectionTimeout upper bound', { machineDetectionTimeout: 60000 }],
    ['machineDetectionPromptEndTimeout with PremiumCallScreening', { machineDetectionPromptEndTimeout: 1000, detectionMode: 'PremiumCallScreening' }],
    ['machineDetectionPromptEndTimeout upper bound', { machineDetectionPromptEndTimeout: 120000, detectionMode: 'PremiumCallScreening' }],
    ['speech thresholds', { machineDetectionSpeechThreshold: 3500, machineDetectionSpeechEndThreshold: 800, machineDetectionSilenceTimeout: 3500 }],
    ['machineDetectionBeepProfile freq_only', { machineDetectionBeepProfile: 'freq_only' }],
    ['passports', { passports: 'passport-1' }],
    ['timeLimit bounds', { timeLimit: 30 }],
    ['timeout bounds', { timeout: 5 }],
    ['timeout upper bound', { timeout: 120 }],
    ['recording settings', { record: true, recordingChannels: 'dual', recordingTrack: 'inbound', trim: 'do-not-trim', sendRecordingUrl: false }],
    ['recordingStatusCallbackEvent all events', { recordingStatusCallbackEvent: 'in-progress completed absent' }],
    ['recordingTimeout 0', { recordingTimeout: 0 }],
    ['preferredCodecs', { preferredCodecs: 'PCMA,PCMU,G722,G729,OPUS,AMR-WB' }],
    ['SIP credentials together', { sipAuthUsername: 'agent', sipAuthPassword: 'pw' }],
    ['sipRegion Middle East', { sipRegion: 'Middle East' }],
    ['retry on voicemail with AMD', { machineDetection: 'Enable', retry: { maxAttempts: 10, retryOn: ['voicemail', 'failed'], delaySeconds: 60 } }],
    ['retry on nothing', { retry: { retryOn: [] } }],
    [
      'the widest legal calling window, every day',
      { callingWindow: { start: '08:00', end: '21:00', days: ['sun', 'sat', 'fri', 'thu', 'wed', 'tue', 'mon'] } },
    ],
  ])('accepts %s', (_label, patch) => {
    expect(issuesWith(patch)).toEqual([]);
  });
});

describe('campaign config: each rule refuses what breaks it, naming the field and the rule', () => {
  it.each<[string, Record<string, unknown>, string]>([
    ['a missing name', { name: undefined }, 'name: is required: must be a non-empty name of at most 200 characters'],
    ['a blank name', { name: '   ' }, 'name: must be a non-empty name of at most 200 characters'],
    ['a long name', { name: 'n'.repeat(201) }, 'name: must be at most 200 characters'],
    [
      'a numeric connectionId',
      { connectionId: 123 },
      'connectionId: must be the TeXML application (connection) id: letters, digits and . _ : - only (got a number)',
    ],
    ['a connectionId with a slash', { connectionId: '12/34' }, 'connectionId: must be the TeXML application (connection) id: letters, digits and . _ : - only'],
    [
      'an assistantId with a space',
      { assistantId: 'assistant 1' },
      'assistantId: must be the AI assistant id (e.g. assistant-…): letters, digits and . _ : - only',
    ],
    ['an empty assistantVersion', { assistantVersion: '' }, 'assistantVersion: must be a non-empty assistant version id without spaces'],
    ['a from without +', { from: '13125550123' }, 'from: must be a phone number in E.164 form: +, country code and number, digits only (e.g. +13125550123)'],
    [
      'a formatted from',
      { from: '+1 (312) 555-0123' },
      'from: must be a phone number in E.164 form: +, country code and number, digits only (e.g. +13125550123) (did you mean +13125550123?)',
    ],
    ['a from no country dials', { from: '+15555550123' }, 'from: is not a valid number for its country: must be a dialable phone number in E.164 form'],
    ['a callerId with @', { callerId: 'a@b' }, 'callerId: must be 1 to 128 characters of letters, digits, spaces and - _ ~ ! . +'],
    ['a callerId of 129 characters', { callerId: 'a'.repeat(129) }, 'callerId: must be 1 to 128 characters of letters, digits, spaces and - _ ~ ! . +'],
    ['an empty callerId', { callerId: '' }, 'callerId: must be 1 to 128 characters of letters, digits, spaces and - _ ~ ! . +'],
    ['callsPerSecond 0', { callsPerSecond: 0 }, 'callsPerSecond: must be a number above 0 and at most 1000 (dials per second)'],
    ['callsPerSecond above 1000', { callsPerSecond: 1000.5 }, 'callsPerSecond: must be a number above 0 and at most 1000 (dials per second)'],
    ['callsPerSecond as a string', { callsPerSecond: '2' }, 'callsPerSecond: must be a number above 0 and at most 1000 (dials per second) (got a string)'],
    ['maxConcurrentCalls 0', { maxConcurrentCalls: 0 }, 'maxConcurrentCalls: must be an integer from 1 to 100000 (calls in progress at once)'],
    [
      'a fractional maxConcurrentCalls',
      { maxConcurrentCalls: 1.5 },
      'maxConcurrentCalls: must be an integer from 1 to 100000 (calls in progress at once) (got a fraction)',
    ],
    [
      'a lower-case country',
      { defaultCountry: 'us' },
      'defaultCountry: must be an upper-case ISO 3166-1 alpha-2 country code with a known numbering plan (e.g. US, GB, DE)',
    ],
    [
      'an unknown country',
      { defaultCountry: 'XX' },
      'defaultCountry: must be an upper-case ISO 3166-1 alpha-2 country code with a known numbering plan (e.g. US, GB, DE)',
    ],
    [
      'a numeric dynamic variable',
      { dynamicVariables: { age: 42 } },
      'dynamicVariables.age: must be a string (write numbers and true/false in quotes) (got a number)',
    ],
    ['dynamicVariables as an array', { dynamicVariables: ['a'] }, 'dynamicVariables: must be an object of variable name -> string (got an array)'],
    [
      'a dynamic variable name with a space',
      { dynamicVariables: { 'first name': 'Ann' } },
      'dynamicVariables["first name"]: variable names are letters, digits and _, not starting with a digit (as in {{first_name}})',
    ],
    [
      'a reserved dynamic variable name',
      { dynamicVariables: { telnyx_end_user_target: 'x' } },
      'dynamicVariables.telnyx_end_user_target: variable names starting with telnyx_ are reserved: Telnyx sets them itself',
    ],
    ['an ftp statusCallback', { statusCallbacks: ['ftp://example.com/x'] }, 'statusCallbacks[0]: must be an http:// or https:// URL'],
    ['a statusCallback that is no URL', { statusCallbacks: ['crm.example.com/x'] }, 'statusCallbacks[0]: must be an http:// or https:// URL'],
    ['a repeated statusCallback', { statusCallbacks: ['https://a.example/x', 'https://a.example/x'] }, 'statusCallbacks[1]: repeats an earlier URL'],
    [
      'statusCallbacks as one string',
      { statusCallbacks: 'https://a.example/x' },
      'statusCallbacks: must be an array of http:// or https:// URLs (got a string)',
    ],
    [
      'an unknown status event',
      { statusCallbackEvent: 'completed no-answer busy canceled failed hangup' },
      "statusCallbackEvent: unknown name 'hangup' (allowed: initiated ringing answered completed no-answer busy canceled failed analyzed)",
    ],
    ['a repeated status event', { statusCallbackEvent: 'completed no-answer busy canceled failed busy' }, "statusCallbackEvent: lists 'busy' more than once"],
    [
      'status events without the terminal ones',
      { statusCallbackEvent: 'initiated completed' },
      'statusCallbackEvent: must include no-answer busy canceled failed (the dialer learns every call outcome from these events)',
    ],
    ['a PUT statusCallbackMethod', { statusCallbackMethod: 'PUT' }, 'statusCallbackMethod: must be one of GET, POST'],
    ['a lower-case conversationCallbackMethod', { conversationCallbackMethod: 'post' }, 'conversationCallbackMethod: must be one of GET, POST'],
    ['a conversationCallback that is no URL', { conversationCallbacks: ['mailto:a@b.c'] }, 'conversationCallbacks[0]: must be an http:// or https:// URL'],
    [
      'a custom header without a name',
      { customHeaders: [{ name: '', value: 'v' }] },
      'customHeaders[0].name: must be a non-empty header name (letters, digits and - . _ etc., no spaces)',
    ],
    ['a custom header with an empty value', { customHeaders: [{ name: 'X-A', value: '' }] }, 'customHeaders[0].value: must be a non-empty string on one line'],
    ['a custom header without a value', { customHeaders: [{ name: 'X-A' }] }, 'customHeaders[0].value: is required: must be a non-empty string on one line'],
    [
      'a custom header value on two lines',
      { customHeaders: [{ name: 'X-A', value: 'a\r\nInjected: 1' }] },
      'customHeaders[0].value: must be a non-empty string on one line',
    ],
    ['a custom header with an extra key', { customHeaders: [{ name: 'X-A', value: 'v', kind: 'sip' }] }, 'customHeaders[0].kind: unknown key'],
    ['customHeaders as an object', { customHeaders: { 'X-A': 'v' } }, 'customHeaders: must be an array of { name, value } objects (got an object)'],
    ['a lower-case machineDetection', { machineDetection: 'enable' }, 'machineDetection: must be one of Enable, Disable, DetectMessageEnd'],
    ['an unknown detectionMode', { detectionMode: 'Fast' }, 'detectionMode: must be one of Premium, Regular, PremiumCallScreening'],
    ['asyncAmd as a string', { asyncAmd: 'true' }, 'asyncAmd: must be true or false (got a string)'],
    ['a PUT asyncAmdStatusCallbackMethod', { asyncAmdStatusCallbackMethod: 'PUT' }, 'asyncAmdStatusCallbackMethod: must be one of GET, POST'],
    ['machineDetectionTimeout below 500', { machineDetectionTimeout: 499 }, 'machineDetectionTimeout: must be an integer from 500 to 60000 (milliseconds)'],
    ['machineDetectionTimeout above 60000', { machineDetectionTimeout: 60001 }, 'machineDetectionTimeout: must be an integer from 500 to 60000 (milliseconds)'],
    [
      'machineDetectionPromptEndTimeout below 1000',
      { machineDetectionPromptEndTimeout: 999, detectionMode: 'PremiumCallScreening' },
      'machineDetectionPromptEndTimeout: must be an integer from 1000 to 120000 (milliseconds)',
    ],
    [
      'machineDetectionPromptEndTimeout above 120000',
      { machineDetectionPromptEndTimeout: 120001, detectionMode: 'PremiumCallScreening' },
      'machineDetectionPromptEndTimeout: must be an integer from 1000 to 120000 (milliseconds)',
    ],
    [
      'machineDetectionPromptEndTimeout without PremiumCallScreening',
      { machineDetectionPromptEndTimeout: 2000, detectionMode: 'Premium' },
      'machineDetectionPromptEndTimeout: is only allowed with detectionMode PremiumCallScreening',
    ],
    [
      'a fractional speech threshold',
      { machineDetectionSpeechThreshold: 3500.5 },
      'machineDetectionSpeechThreshold: must be an integer from 1 to 60000 (milliseconds), ignored by Premium detection (got a fraction)',
    ],
    [
      'a zero speech end threshold',
      { machineDetectionSpeechEndThreshold: 0 },
      'machineDetectionSpeechEndThreshold: must be an integer from 1 to 60000 (milliseconds), ignored by Premium detection',
    ],
    [
      'a silence timeout as a string',
      { machineDetectionSilenceTimeout: '3500' },
      'machineDetectionSilenceTimeout: must be an integer from 1 to 60000 (milliseconds), ignored by Premium detection (got a string)',
    ],
    ['an unknown beep profile', { machineDetectionBeepProfile: 'freq' }, 'machineDetectionBeepProfile: must be one of both, freq_only'],
    ['empty passports', { passports: '' }, 'passports: must be a non-empty string of passport identifiers'],
    ['timeLimit below 30', { timeLimit: 29 }, 'timeLimit: must be an integer from 30 to 14400 (seconds)'],
    ['timeLimit above 14400', { timeLimit: 14401 }, 'timeLimit: must be an integer from 30 to 14400 (seconds)'],
    ['timeout below 5', { timeout: 4 }, 'timeout: must be an integer from 5 to 120 (seconds)'],
    ['timeout above 120', { timeout: 121 }, 'timeout: must be an integer from 5 to 120 (seconds)'],
    ['a fractional timeout', { timeout: 30.5 }, 'timeout: must be an integer from 5 to 120 (seconds) (got a fraction)'],
    ['record as a number', { record: 1 }, 'record: must be true or false (got a number)'],
    ['recordingChannels stereo', { recordingChannels: 'stereo' }, 'recordingChannels: must be one of mono, dual'],
    ['a PUT recordingStatusCallbackMethod', { recordingStatusCallbackMethod: 'PUT' }, 'recordingStatusCallbackMethod: must be one of GET, POST'],
    [
      'an unknown recording event',
      { recordingStatusCallbackEvent: 'completed started' },
      "recordingStatusCallbackEvent: unknown name 'started' (allowed: in-progress completed absent)",
    ],
    ['a repeated recording event', { recordingStatusCallbackEvent: 'completed completed' }, "recordingStatusCallbackEvent: lists 'completed' more than once"],
    [
      'an empty recording event list',
      { recordingStatusCallbackEvent: ' ' },
      'recordingStatusCallbackEvent: must list at least one of: in-progress completed absent',
    ],
    ['a negative recordingTimeout', { recordingTimeout: -1 }, 'recordingTimeout: must be an integer of 0 or more (seconds of silence, 0 = no timeout)'],
    ['recordingTrack all', { recordingTrack: 'all' }, 'recordingTrack: must be one of inbound, outbound, both'],
    ['trim yes', { trim: 'yes' }, 'trim: must be one of trim-silence, do-not-trim'],
    ['sendRecordingUrl as a string', { sendRecordingUrl: 'false' }, 'sendRecordingUrl: must be true or false (got a string)'],
    ['an unknown codec', { preferredCodecs: 'PCMU,XYZ' }, "preferredCodecs: unknown codec 'XYZ' (known: PCMU, PCMA, G722, G729, OPUS, AMR-WB)"],
    [
      'an empty codec entry',
      { preferredCodecs: 'PCMU,,PCMA' },
      'preferredCodecs: must be a comma-separated list of codecs with no empty entries (e.g. PCMU,PCMA)',
    ],
    ['a repeated codec', { preferredCodecs: 'PCMU,pcmu' }, "preferredCodecs: lists 'PCMU' more than once"],
    [
      'codecs as an array',
      { preferredCodecs: ['PCMU'] },
      'preferredCodecs: must be a comma-separated list of codecs (PCMU, PCMA, G722, G729, OPUS, AMR-WB) (got an array)',
    ],
    ['a SIP username alone', { sipAuthUsername: 'agent' }, 'sipAuthPassword: sipAuthUsername and sipAuthPassword go together: give both or neither'],
    ['a SIP password alone', { sipAuthPassword: 'pw' }, 'sipAuthUsername: sipAuthUsername and sipAuthPassword go together: give both or neither'],
    ['sipRegion EU', { sipRegion: 'EU' }, 'sipRegion: must be one of US, Europe, Canada, Australia, Middle East'],
    ['retry.maxAttempts 0', { retry: { maxAttempts: 0 } }, 'retry.maxAttempts: must be an integer from 1 to 10 (dials per contact, the first included)'],
    ['retry.maxAttempts 11', { retry: { maxAttempts: 11 } }, 'retry.maxAttempts: must be an integer from 1 to 10 (dials per contact, the first included)'],
    ['an unknown retry outcome', { retry: { retryOn: ['answered'] } }, 'retry.retryOn[0]: must be one of no_answer, busy, failed, voicemail'],
    ['a repeated retry outcome', { retry: { retryOn: ['busy', 'busy'] } }, 'retry.retryOn[1]: repeats an earlier value'],
    [
      'retry.delaySeconds below a minute',
      { retry: { delaySeconds: 59 } },
      'retry.delaySeconds: must be an integer from 60 to 2592000 (seconds between dials of one contact)',
    ],
    [
      'retry on voicemail without AMD',
      { retry: { retryOn: ['voicemail'] } },
      "retry.retryOn: 'voicemail' needs machineDetection Enable or DetectMessageEnd: without it no call is known to reach voicemail",
    ],
    ['an unknown retry key', { retry: { attempts: 2 } }, 'retry.attempts: unknown key'],
    ['retry as a number', { retry: 3 }, 'retry: must be an object { maxAttempts, retryOn, delaySeconds } (got a number)'],
    ['a window start without a leading zero', { callingWindow: { start: '9:00' } }, 'callingWindow.start: must be a time of day as HH:MM, from 00:00 to 23:59'],
    ['a window end of 24:00', { callingWindow: { end: '24:00' } }, 'callingWindow.end: must be a time of day as HH:MM, from 00:00 to 23:59'],
    ['a window minute of 60', { callingWindow: { end: '19:60' } }, 'callingWindow.end: must be a time of day as HH:MM, from 00:00 to 23:59'],
    [
      'a window opening before 08:00',
      { callingWindow: { start: '07:59' } },
      "callingWindow.start: must be 08:00 or later: calls are never placed before 08:00 or after 21:00 in the contact's local time",
    ],
    [
      'a window closing after 21:00',
      { callingWindow: { end: '21:01' } },
      "callingWindow.end: must be 21:00 or earlier: calls are never placed before 08:00 or after 21:00 in the contact's local time",
    ],
    ['a window ending at its start', { callingWindow: { start: '10:00', end: '10:00' } }, 'callingWindow.end: must be later than start (10:00)'],
    ['a window ending before its start', { callingWindow: { start: '15:00', end: '12:00' } }, 'callingWindow.end: must be later than start (15:00)'],
    [
      'no calling days',
      { callingWindow: { days: [] } },
      'callingWindow.days: must be a list of distinct values from mon, tue, wed, thu, fri, sat, sun, at least 1',
    ],
    ['a repeated calling day', { callingWindow: { days: ['mon', 'mon'] } }, 'callingWindow.days[1]: repeats an earlier value'],
    ['a day spelled out', { callingWindow: { days: ['Monday'] } }, 'callingWindow.days[0]: must be one of mon, tue, wed, thu, fri, sat, sun'],
  ])('refuses %s', (_label, patch, expected) => {
    expect(issuesWith(patch)).toEqual([expected]);
  });

  it('refuses a config that is not an object', () => {
    for (const input of ['text', null, [], 42]) {
      const result = campaignConfigSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(formatConfigIssues(result.error!)[0]).toMatch(/^config: must be a JSON object of campaign settings \(got /);
    }
  });

  it('reports every broken rule at once', () => {
    expect(issuesWith({ timeout: 1, timeLimit: 1, from: 'x' })).toEqual([
      'from: must be a phone number in E.164 form: +, country code and number, digits only (e.g. +13125550123)',
      'timeLimit: must be an integer from 30 to 14400 (seconds)',
      'timeout: must be an integer from 5 to 120 (seconds)',
    ]);
  });
});

describe('campaign config: keys', () => {
  it.each(['Twiml', 'twiml', 'Texml', 'TeXML', 'TEXML', 'Url', 'url', 'URL'])('refuses %s: the endpoint builds its own TeXML', (key) => {
    expect(issuesWith({ [key]: '<Response/>' })).toEqual([
      `${key}: is not allowed: the AI-call endpoint builds its own TeXML from the assistant (remove this key)`,
    ]);
  });

  it.each<[string, string]>([
    ['fooBar', 'fooBar: unknown key'],
    ['TimeLimit', "TimeLimit: unknown key (did you mean 'timeLimit'? keys are camelCase)"],
    ['connection_id', "connection_id: unknown key (did you mean 'connectionId'? keys are camelCase)"],
    ['AIAssistantId', "AIAssistantId: unknown key (did you mean 'assistantId'? keys are camelCase)"],
    ['To', "To: is set from each contact's phone number, not in the campaign config"],
    ['StatusCallback', 'StatusCallback: is set by the dialer to its own callback receiver (put extra URLs in statusCallbacks)'],
    ['RecordingStatusCallback', 'RecordingStatusCallback: is set by the dialer to its own callback receiver'],
    ['my key', '"my key": unknown key'],
    ['callsPerSecnd', "callsPerSecnd: unknown key (did you mean 'callsPerSecond'?)"],
    ['timout', "timout: unknown key (did you mean 'timeout'?)"],
    ['maxConcurrentCall', "maxConcurrentCall: unknown key (did you mean 'maxConcurrentCalls'?)"],
    ['Max_Concurent_Call', "Max_Concurent_Call: unknown key (did you mean 'maxConcurrentCalls'?)"],
    ['callbackUrl', 'callbackUrl: unknown key'],
    ['id', 'id: unknown key'],
  ])('refuses the unknown key %s with a hint', (key, expected) => {
    expect(issuesWith({ [key]: 'x' })).toEqual([expected]);
  });

  it('hints the nearest key of the object the typo is in', () => {
    expect(issuesWith({ retry: { maxAtempts: 2 }, callingWindow: { ends: '18:00' } })).toEqual([
      "retry.maxAtempts: unknown key (did you mean 'maxAttempts'?)",
      "callingWindow.ends: unknown key (did you mean 'end'?)",
    ]);
  });

  it('names each unknown key on its own line', () => {
    expect(issuesWith({ Twiml: 'a', extra: 1 })).toEqual([
      'Twiml: is not allowed: the AI-call endpoint builds its own TeXML from the assistant (remove this key)',
      'extra: unknown key',
    ]);
  });
});

describe('campaign config: secrets', () => {
  const password = 'S3cret-SIP-pa55word';

  it('never echoes the SIP password in any error', () => {
    const inputs: Record<string, unknown>[] = [
      { sipAuthPassword: password },
      { sipAuthPassword: password, sipAuthUsername: 'agent', timeout: 'x', from: password, callerId: password, connectionId: password },
      { sipAuthPassword: password, sipAuthUsername: 'agent', statusCallbacks: [password], customHeaders: [{ name: password, value: '' }] },
      { SipAuthPassword: password },
    ];
    for (const input of inputs) {
      const lines = issuesWith(input);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(password);
      expect(() => parseCampaignConfig({ ...minimal, ...input })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(password) }));
    }
  });

  it('redactConfig replaces the SIP password and keeps everything else', () => {
    const config = parsedWith({ sipAuthUsername: 'agent', sipAuthPassword: password });
    const redacted = redactConfig(config);
    expect(redacted.sipAuthPassword).toBe('[redacted]');
    expect(JSON.stringify(redacted)).not.toContain(password);
    expect({ ...redacted, sipAuthPassword: password }).toEqual(config);
    expect(config.sipAuthPassword).toBe(password);
  });

  it('redactConfig replaces passwords inside callback URLs', () => {
    const config = parsedWith({
      statusCallbacks: [`https://crm:${password}@crm.example.com/status`, 'https://crm.example.com/plain'],
      conversationCallbacks: [`https://crm:${password}@crm.example.com/conversation`],
    });
    expect(redactConfig(config)).toMatchObject({
      statusCallbacks: ['https://crm:[redacted]@crm.example.com/status', 'https://crm.example.com/plain'],
      conversationCallbacks: ['https://crm:[redacted]@crm.example.com/conversation'],
    });
    expect(config.statusCallbacks?.[0]).toContain(password);
  });

  it('redactConfig leaves a config without SIP credentials as it is', () => {
    const config = parsedWith({});
    expect(redactConfig(config)).toEqual(config);
    expect('sipAuthPassword' in redactConfig(config)).toBe(false);
  });
});

describe('parseCampaignConfig', () => {
  it('returns the parsed config', () => {
    expect(parseCampaignConfig(minimal).timeout).toBe(30);
  });

  it('throws one invalid_config error listing every problem, with the first field', () => {
    let caught: unknown;
    try {
      parseCampaignConfig({ ...minimal, timeout: 500, Twiml: '<x/>' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DialerError);
    const error = caught as DialerError;
    expect(error.code).toBe('invalid_config');
    expect(error.field).toBe('timeout');
    expect(error.message).toBe(
      'invalid campaign config (2 problems): timeout: must be an integer from 5 to 120 (seconds); ' +
        'Twiml: is not allowed: the AI-call endpoint builds its own TeXML from the assistant (remove this key)',
    );
    expect(error.message).not.toContain('\n');
  });

  it('says "1 problem" for one', () => {
    expect(() => parseCampaignConfig({ ...minimal, timeout: 4 })).toThrow(
      'invalid campaign config (1 problem): timeout: must be an integer from 5 to 120 (seconds)',
    );
  });
});

describe('formatFieldPath', () => {
  it.each<[PropertyKey[], string]>([
    [[], 'config'],
    [['timeout'], 'timeout'],
    [['retry', 'retryOn', 0], 'retry.retryOn[0]'],
    [['customHeaders', 2, 'name'], 'customHeaders[2].name'],
    [['dynamicVariables', 'first name'], 'dynamicVariables["first name"]'],
  ])('formats %j as %s', (path, expected) => {
    expect(formatFieldPath(path)).toBe(expected);
  });
});

describe('campaign config: conversation block', () => {
  const labeled = { 'ins-appointment': 'appointment', 'ins-summary': 'summary' };

  it('is optional, and its defaults fill a block given empty', () => {
    expect(parsedWith({}).conversation).toBeUndefined();
    expect(parsedWith({ conversation: {} }).conversation).toEqual({ transcript: true, insightsWaitSeconds: 900, insights: {} });
  });

  it('keeps labels, a goal rule and an opt-out rule (list defaults to campaign)', () => {
    const conversation = {
      transcript: false,
      insightsWaitSeconds: 120,
      insights: labeled,
      goal: { insight: 'appointment', path: 'patient.confirmed', equals: true },
      optOut: { insight: 'appointment', path: 'opt_out', equals: 'yes' },
    };
    expect(parsedWith({ conversation }).conversation).toEqual({ ...conversation, optOut: { ...conversation.optOut, list: 'campaign' } });
    expect(parsedWith({ conversation: { ...conversation, optOut: { ...conversation.optOut, list: 'global' } } }).conversation?.optOut?.list).toBe('global');
  });

  it('reports every broken rule of the block at once, each with its field path', () => {
    expect(
      issuesWith({
        conversation: {
          transcrpt: true,
          insightsWaitSeconds: 0,
          insights: { 'ins-a': 'appointment', 'ins-b': 'appointment', 'ins-c': 'phone', 'ins-d': '9lives' },
          goal: { insight: 'confirmed', path: '' },
          optOut: { insight: 'appointment', path: 'a..b', equals: true, list: 'everyone', extra: 1 },
        },
      }),
    ).toEqual([
      'conversation.insightsWaitSeconds: must be an integer from 1 to 604800 (seconds after a call ends to wait for its insights)',
      'conversation.insights["ins-d"]: must be a label of letters, digits and _ (not starting with a digit), at most 63 characters: it names a results column',
      'conversation.goal.path: must be a non-empty path of field names separated by dots (e.g. "confirmed" or "patient.confirmed")',
      'conversation.goal.equals: is required: the JSON value (string, number, true/false, null, array or object) the field must equal',
      'conversation.optOut.path: must be a non-empty path of field names separated by dots (e.g. "confirmed" or "patient.confirmed")',
      'conversation.optOut.list: must be one of campaign, global',
      'conversation.optOut.extra: unknown key',
      "conversation.transcrpt: unknown key (did you mean 'transcript'?)",
      'conversation.insights["ins-b"]: repeats the label \'appointment\': labels name columns and must be distinct',
      'conversation.insights["ins-c"]: \'phone\' is a results column already: choose another label',
      'conversation.goal.insight: names no labeled insight: must be one of the labels in conversation.insights (appointment, phone, 9lives)',
    ]);
  });

  it('refuses a rule over an insight without a label, and a block that is not an object', () => {
    expect(issuesWith({ conversation: { optOut: { insight: 'appointment', path: 'opt_out', equals: true } } })).toEqual([
      'conversation.optOut.insight: names no labeled insight: give the insight a label in conversation.insights first',
    ]);
    expect(issuesWith({ conversation: 'yes' })).toEqual([
      'conversation: must be an object { transcript, insightsWaitSeconds, insights, goal, optOut } (got a string)',
    ]);
  });
});
