/**
 * The JSON body of POST /texml/ai_calls/{connection_id}, with Telnyx's PascalCase keys
 * (see https://developers.telnyx.com/api-reference/texml-rest-commands/initiate-an-outbound-ai-call).
 * `Twiml`, `Texml` and `Url` are deliberately absent:
 * the endpoint refuses them.
 */
export interface DialRequestBody {
  From: string;
  To: string;
  AIAssistantId: string;
  AIAssistantVersion?: string;
  AIAssistantDynamicVariables?: Record<string, string>;
  CallerId?: string;
  StatusCallback?: string;
  StatusCallbacks?: string[];
  StatusCallbackEvent?: string;
  StatusCallbackMethod?: 'GET' | 'POST';
  ConversationCallback?: string;
  ConversationCallbacks?: string[];
  ConversationCallbackMethod?: 'GET' | 'POST';
  CustomHeaders?: { name: string; value: string }[];
  MachineDetection?: string;
  DetectionMode?: string;
  AsyncAmd?: boolean;
  AsyncAmdStatusCallback?: string;
  AsyncAmdStatusCallbackMethod?: 'GET' | 'POST';
  MachineDetectionTimeout?: number;
  MachineDetectionPromptEndTimeout?: number;
  MachineDetectionSpeechThreshold?: number;
  MachineDetectionSpeechEndThreshold?: number;
  MachineDetectionSilenceTimeout?: number;
  MachineDetectionBeepProfile?: string;
  Passports?: string;
  TimeLimit?: number;
  Timeout?: number;
  Record?: boolean;
  RecordingChannels?: string;
  RecordingStatusCallback?: string;
  RecordingStatusCallbackMethod?: 'GET' | 'POST';
  RecordingStatusCallbackEvent?: string;
  RecordingTimeout?: number;
  RecordingTrack?: string;
  Trim?: string;
  SendRecordingUrl?: boolean;
  PreferredCodecs?: string;
  SipAuthUsername?: string;
  SipAuthPassword?: string;
  SipRegion?: string;
}

/** Every status event Telnyx can send, in the order a call produces them. */
export const allStatusEvents = ['initiated', 'ringing', 'answered', 'completed', 'no-answer', 'busy', 'canceled', 'failed', 'analyzed'] as const;

/** The events that end a call: without them no attempt could ever finish, so they are always requested. */
export const terminalStatusEvents = ['completed', 'no-answer', 'busy', 'canceled', 'failed'] as const;
