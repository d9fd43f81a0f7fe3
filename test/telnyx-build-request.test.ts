import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { campaignConfigSchema, type CampaignConfigInput } from '../src/campaigns/config-schema.ts';
import { makeDialRequestBody, makeStatusCallbackEvent } from '../src/telnyx/build-request.ts';
import { makeCallbackUrls } from '../src/telnyx/callback-urls.ts';
import { makeLogger } from '../src/log.ts';
import { validateDialBody } from '../src/simulator/validate-dial-body.ts';

const minimal: CampaignConfigInput = {
  name: 'Renewals',
  connectionId: 'conn-1',
  assistantId: 'assistant-abc',
  from: '+13125550100',
  callsPerSecond: 5,
  maxConcurrentCalls: 3,
};
const urls = makeCallbackUrls('https://dialer.example.com/', '6f1c1a4e-2b7e-4a3b-9d7c-0d2f3c4b5a69');
const contact = { phone: '+14155550123', variables: { first_name: 'Ada', plan: 'gold' } };

describe('makeCallbackUrls', () => {
  it('puts the attempt id in every kind of callback URL under PUBLIC_BASE_URL', () => {
    expect(urls).toEqual({
      status: 'https://dialer.example.com/callbacks/status/6f1c1a4e-2b7e-4a3b-9d7c-0d2f3c4b5a69',
      conversation: 'https://dialer.example.com/callbacks/conversation/6f1c1a4e-2b7e-4a3b-9d7c-0d2f3c4b5a69',
      amd: 'https://dialer.example.com/callbacks/amd/6f1c1a4e-2b7e-4a3b-9d7c-0d2f3c4b5a69',
      recording: 'https://dialer.example.com/callbacks/recording/6f1c1a4e-2b7e-4a3b-9d7c-0d2f3c4b5a69',
    });
  });

  it('keeps a base path', () => {
    expect(makeCallbackUrls('https://example.com/dialer', 'a').status).toBe('https://example.com/dialer/callbacks/status/a');
  });
});

describe('makeDialRequestBody', () => {
  it('builds the minimal body: contact as To, every status event, our callback URLs, defaults', () => {
    const body = makeDialRequestBody(campaignConfigSchema.parse(minimal), contact, urls);
    expect(body).toEqual({
      From: '+13125550100',
      To: '+14155550123',
      AIAssistantId: 'assistant-abc',
      AIAssistantDynamicVariables: { first_name: 'Ada', plan: 'gold' },
      StatusCallback: urls.status,
      StatusCallbackEvent: 'initiated ringing answered completed no-answer busy canceled failed analyzed',
      StatusCallbackMethod: 'POST',
      ConversationCallback: urls.conversation,
      ConversationCallbackMethod: 'POST',
      MachineDetection: 'Disable',
      DetectionMode: 'Regular',
      AsyncAmd: false,
      AsyncAmdStatusCallbackMethod: 'POST',
      MachineDetectionTimeout: 30000,
      TimeLimit: 14400,
      Timeout: 30,
      Record: false,
      RecordingChannels: 'mono',
      RecordingStatusCallbackMethod: 'POST',
      RecordingStatusCallbackEvent: 'completed',
      RecordingTimeout: 0,
      RecordingTrack: 'both',
      Trim: 'trim-silence',
      SendRecordingUrl: true,
      SipRegion: 'US',
    });
    expect(validateDialBody(body)).toEqual([]);
  });

  it('maps every configured parameter to its PascalCase key and adds our AMD and recording URLs', () => {
    const config = campaignConfigSchema.parse({
      ...minimal,
      assistantVersion: 'v7',
      callerId: 'Acme Insurance',
      dynamicVariables: { company: 'Acme', first_name: 'Customer' },
      statusCallbacks: ['https://crm.example.com/telnyx'],
      statusCallbackMethod: 'GET',
      conversationCallbacks: ['https://crm.example.com/conversations'],
      conversationCallbackMethod: 'GET',
      customHeaders: [{ name: 'X-Campaign', value: 'renewals' }],
      machineDetection: 'DetectMessageEnd',
      detectionMode: 'PremiumCallScreening',
      asyncAmd: true,
      asyncAmdStatusCallbackMethod: 'GET',
      machineDetectionTimeout: 45000,
      machineDetectionPromptEndTimeout: 5000,
      machineDetectionSpeechThreshold: 3000,
      machineDetectionSpeechEndThreshold: 900,
      machineDetectionSilenceTimeout: 4000,
      machineDetectionBeepProfile: 'freq_only',
      passports: 'passport-1',
      timeLimit: 600,
      timeout: 25,
      record: true,
      recordingChannels: 'dual',
      recordingStatusCallbackMethod: 'GET',
      recordingStatusCallbackEvent: 'in-progress completed absent',
      recordingTimeout: 10,
      recordingTrack: 'inbound',
      trim: 'do-not-trim',
      sendRecordingUrl: false,
      preferredCodecs: 'PCMA,PCMU',
      sipAuthUsername: 'sip-user',
      sipAuthPassword: 'sip-secret-password',
      sipRegion: 'Europe',
    });
    const body = makeDialRequestBody(config, contact, urls);
    expect(body).toEqual({
      From: '+13125550100',
      To: '+14155550123',
      AIAssistantId: 'assistant-abc',
      AIAssistantVersion: 'v7',
      AIAssistantDynamicVariables: { company: 'Acme', first_name: 'Ada', plan: 'gold' },
      CallerId: 'Acme Insurance',
      StatusCallback: urls.status,
      StatusCallbacks: [urls.status, 'https://crm.example.com/telnyx'],
      StatusCallbackEvent: 'initiated ringing answered completed no-answer busy canceled failed analyzed',
      StatusCallbackMethod: 'GET',
      ConversationCallback: urls.conversation,
      ConversationCallbacks: [urls.conversation, 'https://crm.example.com/conversations'],
      ConversationCallbackMethod: 'GET',
      CustomHeaders: [{ name: 'X-Campaign', value: 'renewals' }],
      MachineDetection: 'DetectMessageEnd',
      DetectionMode: 'PremiumCallScreening',
      AsyncAmd: true,
      AsyncAmdStatusCallback: urls.amd,
      AsyncAmdStatusCallbackMethod: 'GET',
      MachineDetectionTimeout: 45000,
      MachineDetectionPromptEndTimeout: 5000,
      MachineDetectionSpeechThreshold: 3000,
      MachineDetectionSpeechEndThreshold: 900,
      MachineDetectionSilenceTimeout: 4000,
      MachineDetectionBeepProfile: 'freq_only',
      Passports: 'passport-1',
      TimeLimit: 600,
      Timeout: 25,
      Record: true,
      RecordingChannels: 'dual',
      RecordingStatusCallback: urls.recording,
      RecordingStatusCallbackMethod: 'GET',
      RecordingStatusCallbackEvent: 'in-progress completed absent',
      RecordingTimeout: 10,
      RecordingTrack: 'inbound',
      Trim: 'do-not-trim',
      SendRecordingUrl: false,
      PreferredCodecs: 'PCMA,PCMU',
      SipAuthUsername: 'sip-user',
      SipAuthPassword: 'sip-secret-password',
      SipRegion: 'Europe',
    });
    expect(validateDialBody(body)).toEqual([]);
    for (const refused of ['Twiml', 'Texml', 'Url']) expect(body).not.toHaveProperty(refused);
  });

  it('turns every contact variable into a string and lets the contact override the campaign', () => {
    const config = campaignConfigSchema.parse({ ...minimal, dynamicVariables: { greeting: 'Hello', balance: '0' } });
    const body = makeDialRequestBody(config, { phone: '+14155550123', variables: { balance: 12.5, vip: true, note: null, tags: ['a'] } }, urls);
    expect(body.AIAssistantDynamicVariables).toEqual({ greeting: 'Hello', balance: '12.5', vip: 'true', note: '', tags: '["a"]' });
  });

  it('sends no AMD or recording callback URL when those features are off', () => {
    const body = makeDialRequestBody(campaignConfigSchema.parse(minimal), contact, urls);
    expect(body).not.toHaveProperty('AsyncAmdStatusCallback');
    expect(body).not.toHaveProperty('RecordingStatusCallback');
    expect(body).not.toHaveProperty('StatusCallbacks');
  });

  it('keeps the terminal events when the campaign narrows StatusCallbackEvent', () => {
    expect(makeStatusCallbackEvent('answered')).toBe('answered completed no-answer busy canceled failed');
    expect(makeStatusCallbackEvent(undefined)).toBe('initiated ringing answered completed no-answer busy canceled failed analyzed');
  });

  it('carries the SIP password in the body but a logged body shows it redacted', () => {
    const config = campaignConfigSchema.parse({ ...minimal, sipAuthUsername: 'u', sipAuthPassword: 'hunter2-very-secret' });
    const body = makeDialRequestBody(config, contact, urls);
    expect(body.SipAuthPassword).toBe('hunter2-very-secret');
    let logged = '';
    const sink = new Writable({ write: (chunk, _encoding, done) => ((logged += String(chunk)), done()) });
    makeLogger('info', sink).info({ body }, 'dialing');
    expect(logged).toContain('dialing');
    expect(logged).toContain('[redacted]');
    expect(logged).not.toContain('hunter2-very-secret');
  });
});
