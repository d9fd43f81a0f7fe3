import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';

/**
 * Telnyx callback signatures: Ed25519 over the bytes `${telnyx-timestamp}|${raw body}`, base64 in the
 * `telnyx-signature-ed25519` header; the account's public key is published as base64 of the raw 32 bytes.
 */
export const signatureHeader = 'telnyx-signature-ed25519';
export const timestampHeader = 'telnyx-timestamp';
export const defaultMaxAgeSeconds = 300;

// DER prefix that turns a raw 32-byte Ed25519 key into an SPKI public key node:crypto can import.
const ed25519SpkiPrefix = Buffer.from('302a300506032b6570032100', 'hex');

export interface SigningKeyPair {
  privateKey: KeyObject;
  /** Base64 of the raw 32-byte public key, as Telnyx shows it (TELNYX_PUBLIC_KEY). */
  publicKey: string;
}

export function makeSigningKeyPair(): SigningKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey: rawPublicKeyBase64(publicKey) };
}

/** A key pair from a PKCS#8 PEM private key (so a standalone simulator can keep one identity). */
export function makeSigningKeyPairFromPem(privateKeyPem: string): SigningKeyPair {
  const privateKey = createPrivateKey(privateKeyPem);
  return { privateKey, publicKey: rawPublicKeyBase64(createPublicKey(privateKey)) };
}

function rawPublicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(ed25519SpkiPrefix.length).toString('base64');
}

export function importPublicKey(publicKeyBase64: string): KeyObject {
  const raw = Buffer.from(publicKeyBase64, 'base64');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (base64)');
  return createPublicKey({ key: Buffer.concat([ed25519SpkiPrefix, raw]), format: 'der', type: 'spki' });
}

/** The two headers for one callback body, signed at `timestampSeconds`. */
export function signCallback(privateKey: KeyObject, rawBody: string | Buffer, timestampSeconds: number): Record<string, string> {
  const timestamp = String(Math.floor(timestampSeconds));
  const signature = sign(null, signedBytes(timestamp, rawBody), privateKey).toString('base64');
  return { [timestampHeader]: timestamp, [signatureHeader]: signature };
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export interface SignatureVerifier {
  /**
   * Checks a callback against its raw body bytes, before anything parses it. The Ed25519 check runs
   * on libuv's thread pool: it is the receiver's largest CPU cost per callback (BENCHMARKS.md,
   * Callbacks), and there it leaves the event loop free and uses the other cores.
   */
  verify(input: { rawBody: string | Buffer; timestamp: string | undefined; signature: string | undefined }): Promise<SignatureCheck>;
}

/**
 * Rejects missing headers, a timestamp more than `maxAgeSeconds` away from now in either direction
 * (old = possible replay; far future = a forged or badly skewed clock), and bad signatures.
 */
export function makeSignatureVerifier(publicKeyBase64: string, options: { maxAgeSeconds?: number; now?: () => number } = {}): SignatureVerifier {
  const key = importPublicKey(publicKeyBase64);
  const { maxAgeSeconds = defaultMaxAgeSeconds, now = Date.now } = options;
  return {
    async verify({ rawBody, timestamp, signature }) {
      if (!timestamp) return { ok: false, reason: `missing ${timestampHeader} header` };
      if (!signature) return { ok: false, reason: `missing ${signatureHeader} header` };
      if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: `${timestampHeader} is not Unix seconds` };
      const ageSeconds = now() / 1000 - Number(timestamp);
      if (ageSeconds > maxAgeSeconds) return { ok: false, reason: `signature is too old (${Math.round(ageSeconds)} s, limit ${maxAgeSeconds} s)` };
      if (-ageSeconds > maxAgeSeconds) return { ok: false, reason: `signature timestamp is ${Math.round(-ageSeconds)} s in the future` };
      const signatureBytes = Buffer.from(signature, 'base64');
      if (signatureBytes.length !== 64) return { ok: false, reason: 'signature is not a base64 Ed25519 signature' };
      const matches = await new Promise<boolean>((resolve, reject) =>
        verify(null, signedBytes(timestamp, rawBody), key, signatureBytes, (error, result) => (error ? reject(error) : resolve(result))),
      );
      return matches ? { ok: true } : { ok: false, reason: 'signature does not match' };
    },
  };
}

function signedBytes(timestamp: string, rawBody: string | Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}|`), typeof rawBody === 'string' ? Buffer.from(rawBody) : rawBody]);
}
