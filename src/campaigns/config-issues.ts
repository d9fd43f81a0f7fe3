import { distance as levenshtein } from 'fastest-levenshtein';
import type { z } from 'zod';
import { knownConfigKeys, refusedTexmlKeys } from './config-schema.ts';

/** One broken rule: the field's path as an operator reads it (e.g. `customHeaders[0].name`) and the rule. */
export interface ConfigIssue {
  field: string;
  rule: string;
}

/**
 * Turns a failed parse into one issue per broken rule. Unknown keys get one issue each, with a hint
 * when the key is a Telnyx name the dialer spells differently or sets itself. Never quotes a value.
 */
export function listConfigIssues(error: z.ZodError): ConfigIssue[] {
  return error.issues.flatMap((issue): ConfigIssue[] => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => ({ field: formatFieldPath([...issue.path, key]), rule: describeUnknownKey(key, knownConfigKeys(issue.path)) }));
    if (issue.code === 'invalid_key') return issue.issues.map((keyIssue) => ({ field: formatFieldPath(issue.path), rule: keyIssue.message }));
    return [{ field: formatFieldPath(issue.path), rule: issue.message }];
  });
}

/** "<field.path>: <rule broken>", one line per issue. */
export function formatConfigIssues(error: z.ZodError): string[] {
  return listConfigIssues(error).map(({ field, rule }) => `${field}: ${rule}`);
}

export function formatFieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'config';
  return path
    .map((segment, index) => {
      if (typeof segment === 'number') return `[${segment}]`;
      const name = String(segment);
      if (!/^[A-Za-z_$][\w$]*$/.test(name)) return index === 0 ? JSON.stringify(name) : `[${JSON.stringify(name)}]`;
      return index === 0 ? name : `.${name}`;
    })
    .join('');
}

// Telnyx body keys the dialer fills in itself, with what to write instead.
const keysSetByDialer: Record<string, string> = {
  to: "is set from each contact's phone number, not in the campaign config",
  statuscallback: 'is set by the dialer to its own callback receiver (put extra URLs in statusCallbacks)',
  conversationcallback: 'is set by the dialer to its own callback receiver (put extra URLs in conversationCallbacks)',
  asyncamdstatuscallback: 'is set by the dialer to its own callback receiver',
  recordingstatuscallback: 'is set by the dialer to its own callback receiver',
  aiassistantid: "unknown key (did you mean 'assistantId'? keys are camelCase)",
  aiassistantversion: "unknown key (did you mean 'assistantVersion'? keys are camelCase)",
  aiassistantdynamicvariables: "unknown key (did you mean 'dynamicVariables'? keys are camelCase)",
};

function describeUnknownKey(key: string, knownKeys: readonly string[]): string {
  const normalized = normalizeKey(key);
  if ((refusedTexmlKeys as readonly string[]).includes(normalized))
    return 'is not allowed: the AI-call endpoint builds its own TeXML from the assistant (remove this key)';
  const setByDialer = keysSetByDialer[normalized];
  if (setByDialer) return setByDialer;
  const match = closestKey(normalized, knownKeys);
  if (!match) return 'unknown key';
  return match.distance === 0 ? `unknown key (did you mean '${match.key}'? keys are camelCase)` : `unknown key (did you mean '${match.key}'?)`;
}

/**
 * The known key nearest to a (normalized) unknown one by edit distance, ignoring case and separators
 * (distance 0: only those differ). A typo counts when it is at most 2 edits and at most a third of the
 * key's length, so a short or far-off key gets no hint rather than a wrong one.
 */
function closestKey(normalized: string, knownKeys: readonly string[]): { key: string; distance: number } | undefined {
  const limit = Math.min(2, Math.floor(normalized.length / 3));
  let best: { key: string; distance: number } | undefined;
  for (const key of knownKeys) {
    const distance = levenshtein(normalized, normalizeKey(key));
    if (distance <= limit && (!best || distance < best.distance)) best = { key, distance };
  }
  return best;
}

function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[^a-z0-9]/g, '');
}
