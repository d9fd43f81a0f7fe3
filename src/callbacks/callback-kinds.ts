import { callbackKinds, type CallbackKind } from '../telnyx/callback-urls.ts';

/** Whether a route segment names one of the callback URLs every attempt hands Telnyx (/callbacks/{kind}/{attemptId}). */
export function isCallbackKind(value: string): value is CallbackKind {
  return (callbackKinds as readonly string[]).includes(value);
}
