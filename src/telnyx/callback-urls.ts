/** Where Telnyx sends each kind of callback for one attempt. */
export interface CallbackUrls {
  status: string;
  conversation: string;
  amd: string;
  recording: string;
}

export type CallbackKind = keyof CallbackUrls;

export const callbackKinds: readonly CallbackKind[] = ['status', 'conversation', 'amd', 'recording'];

/**
 * `${publicBaseUrl}/callbacks/{kind}/{attemptId}`: the call_attempt id is the opaque token that
 * identifies the attempt, so a callback is matched even when it arrives before the dial response
 * (i.e. before we know the CallSid).
 */
export function makeCallbackUrls(publicBaseUrl: string, attemptId: string): CallbackUrls {
  const base = publicBaseUrl.replace(/\/+$/, '');
  const token = encodeURIComponent(attemptId);
  const urlFor = (kind: CallbackKind) => `${base}/callbacks/${kind}/${token}`;
  return { status: urlFor('status'), conversation: urlFor('conversation'), amd: urlFor('amd'), recording: urlFor('recording') };
}

/** Whether a route segment names one of the callback URLs every attempt hands Telnyx (/callbacks/{kind}/{attemptId}). */
export function isCallbackKind(value: string): value is CallbackKind {
  return (callbackKinds as readonly string[]).includes(value);
}
