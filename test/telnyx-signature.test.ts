import { describe, expect, it } from 'vitest';
import { makeSignatureVerifier, makeSigningKeyPair, signCallback, signatureHeader, timestampHeader } from '../src/telnyx/signature.ts';

const nowMs = Date.parse('2026-11-25T18:00:00Z');
const nowSeconds = nowMs / 1000;
const body = 'CallSid=v3%3Aabc&CallStatus=completed&SequenceNumber=3';

function signed(rawBody = body, at = nowSeconds, keys = makeSigningKeyPair()) {
  const headers = signCallback(keys.privateKey, rawBody, at);
  return { keys, timestamp: headers[timestampHeader], signature: headers[signatureHeader] };
}

describe('Ed25519 callback signatures', () => {
  it('publishes the public key as base64 of the raw 32 bytes', () => {
    expect(Buffer.from(makeSigningKeyPair().publicKey, 'base64')).toHaveLength(32);
  });

  it('accepts a fresh, intact callback', async () => {
    const { keys, timestamp, signature } = signed();
    expect(timestamp).toBe(String(nowSeconds));
    const verifier = makeSignatureVerifier(keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp, signature })).toEqual({ ok: true });
    expect(await verifier.verify({ rawBody: Buffer.from(body), timestamp, signature })).toEqual({ ok: true });
  });

  it('refuses a tampered body', async () => {
    const { keys, timestamp, signature } = signed();
    const verifier = makeSignatureVerifier(keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body.replace('completed', 'no-answer'), timestamp, signature })).toEqual({
      ok: false,
      reason: 'signature does not match',
    });
  });

  it('refuses a timestamp that was changed after signing (it is part of the signed bytes)', async () => {
    const { keys, signature } = signed();
    const verifier = makeSignatureVerifier(keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp: String(nowSeconds - 1), signature })).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a signature made with another key', async () => {
    const { timestamp, signature } = signed();
    const verifier = makeSignatureVerifier(makeSigningKeyPair().publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp, signature })).toEqual({ ok: false, reason: 'signature does not match' });
  });

  it('refuses a callback older than 300 s and accepts one just inside the limit', async () => {
    const old = signed(body, nowSeconds - 301);
    const recent = signed(body, nowSeconds - 299, old.keys);
    const verifier = makeSignatureVerifier(old.keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp: old.timestamp, signature: old.signature })).toEqual({
      ok: false,
      reason: 'signature is too old (301 s, limit 300 s)',
    });
    expect(await verifier.verify({ rawBody: body, timestamp: recent.timestamp, signature: recent.signature })).toEqual({ ok: true });
  });

  it('refuses a timestamp too far in the future', async () => {
    const future = signed(body, nowSeconds + 600);
    const verifier = makeSignatureVerifier(future.keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp: future.timestamp, signature: future.signature })).toEqual({
      ok: false,
      reason: 'signature timestamp is 600 s in the future',
    });
  });

  it('honours a custom max age', async () => {
    const { keys, timestamp, signature } = signed(body, nowSeconds - 20);
    expect((await makeSignatureVerifier(keys.publicKey, { now: () => nowMs, maxAgeSeconds: 10 }).verify({ rawBody: body, timestamp, signature })).ok).toBe(
      false,
    );
  });

  it('names what is missing or malformed', async () => {
    const { keys, timestamp, signature } = signed();
    const verifier = makeSignatureVerifier(keys.publicKey, { now: () => nowMs });
    expect(await verifier.verify({ rawBody: body, timestamp: undefined, signature })).toEqual({ ok: false, reason: 'missing telnyx-timestamp header' });
    expect(await verifier.verify({ rawBody: body, timestamp, signature: undefined })).toEqual({ ok: false, reason: 'missing telnyx-signature-ed25519 header' });
    expect(await verifier.verify({ rawBody: body, timestamp: 'yesterday', signature })).toEqual({ ok: false, reason: 'telnyx-timestamp is not Unix seconds' });
    expect(await verifier.verify({ rawBody: body, timestamp, signature: 'c2hvcnQ=' })).toEqual({
      ok: false,
      reason: 'signature is not a base64 Ed25519 signature',
    });
  });

  it('refuses a public key that is not 32 bytes', () => {
    expect(() => makeSignatureVerifier(Buffer.alloc(16).toString('base64'))).toThrow('an Ed25519 public key is 32 bytes (base64)');
  });
});
