import type { CampaignConfig } from '../campaigns/config-schema.ts';
import type { CallbackUrls } from './callback-urls.ts';
import { allStatusEvents, terminalStatusEvents, type DialRequestBody } from './dial-request-body.ts';

export interface DialContact {
  /** E.164, already normalised by the import. */
  phone: string;
  /** The contact's own columns; they override the campaign's dynamic variables of the same name. */
  variables: Record<string, unknown>;
}

/**
 * The body of one "Initiate an outbound AI call" request: every configured Telnyx parameter, the
 * contact as `To`, and our receiver's URLs for every callback kind (each carrying the attempt token).
 */
export function makeDialRequestBody(config: CampaignConfig, contact: DialContact, callbackUrls: CallbackUrls): DialRequestBody {
  const amdOn = config.machineDetection !== 'Disable';
  const body: DialRequestBody = {
    From: config.from,
    To: contact.phone,
    AIAssistantId: config.assistantId,
    AIAssistantVersion: config.assistantVersion,
    AIAssistantDynamicVariables: makeDynamicVariables(config.dynamicVariables ?? {}, contact.variables),
    CallerId: config.callerId,
    StatusCallback: callbackUrls.status,
    StatusCallbacks: withExtras(callbackUrls.status, config.statusCallbacks),
    StatusCallbackEvent: makeStatusCallbackEvent(config.statusCallbackEvent),
    StatusCallbackMethod: config.statusCallbackMethod,
    ConversationCallback: callbackUrls.conversation,
    ConversationCallbacks: withExtras(callbackUrls.conversation, config.conversationCallbacks),
    ConversationCallbackMethod: config.conversationCallbackMethod,
    CustomHeaders: config.customHeaders?.map(({ name, value }) => ({ name, value })),
    MachineDetection: config.machineDetection,
    DetectionMode: config.detectionMode,
    AsyncAmd: config.asyncAmd,
    AsyncAmdStatusCallback: amdOn ? callbackUrls.amd : undefined,
    AsyncAmdStatusCallbackMethod: config.asyncAmdStatusCallbackMethod,
    MachineDetectionTimeout: config.machineDetectionTimeout,
    MachineDetectionPromptEndTimeout: config.machineDetectionPromptEndTimeout,
    MachineDetectionSpeechThreshold: config.machineDetectionSpeechThreshold,
    MachineDetectionSpeechEndThreshold: config.machineDetectionSpeechEndThreshold,
    MachineDetectionSilenceTimeout: config.machineDetectionSilenceTimeout,
    MachineDetectionBeepProfile: config.machineDetectionBeepProfile,
    Passports: config.passports,
    TimeLimit: config.timeLimit,
    Timeout: config.timeout,
    Record: config.record,
    RecordingChannels: config.recordingChannels,
    RecordingStatusCallback: config.record ? callbackUrls.recording : undefined,
    RecordingStatusCallbackMethod: config.recordingStatusCallbackMethod,
    RecordingStatusCallbackEvent: config.recordingStatusCallbackEvent,
    RecordingTimeout: config.recordingTimeout,
    RecordingTrack: config.recordingTrack,
    Trim: config.trim,
    SendRecordingUrl: config.sendRecordingUrl,
    PreferredCodecs: config.preferredCodecs,
    SipAuthUsername: config.sipAuthUsername,
    SipAuthPassword: config.sipAuthPassword,
    SipRegion: config.sipRegion,
  };
  return withoutUndefined(body);
}

/** Campaign variables overlaid by the contact's; Telnyx requires every value to be a string. */
export function makeDynamicVariables(campaign: Record<string, string>, contact: Record<string, unknown>): Record<string, string> {
  const merged: Record<string, string> = { ...campaign };
  for (const [name, value] of Object.entries(contact)) merged[name] = asVariableString(value);
  return merged;
}

function asVariableString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * Telnyx sends only `completed` unless told otherwise, so we ask for every event; a campaign may narrow
 * the list, but the terminal events always stay: without them an attempt could never end.
 */
export function makeStatusCallbackEvent(configured: string | undefined): string {
  const wanted = new Set([...(configured ?? allStatusEvents.join(' ')).split(/\s+/).filter(Boolean), ...terminalStatusEvents]);
  return allStatusEvents.filter((event) => wanted.has(event)).join(' ');
}

// Our URL always comes first; the plural key is only needed when the campaign adds its own listeners.
function withExtras(ours: string, extras: string[] | undefined): string[] | undefined {
  return extras?.length ? [ours, ...extras.filter((url) => url !== ours)] : undefined;
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
