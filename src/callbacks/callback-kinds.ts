/** The four callback URLs every attempt hands Telnyx (contract: /callbacks/{kind}/{attemptId}). */
export const callbackKinds = ['status', 'conversation', 'amd', 'recording'] as const;
export type CallbackKind = (typeof callbackKinds)[number];

export function isCallbackKind(value: string): value is CallbackKind {
  return (callbackKinds as readonly string[]).includes(value);
}
