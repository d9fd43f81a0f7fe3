import { isIPv6 } from 'node:net';
import { DialerError } from '../errors.ts';
import { callOutcomes, faultKinds, type CallOutcome, type Faults } from './simulator-options.ts';

/** `completed=70,no-answer=10,busy=5` -> weights; names and numbers checked. */
export function parseOutcomeWeights(text: string): Partial<Record<CallOutcome, number>> {
  const weights = parsePairs(text, '--outcomes', callOutcomes);
  if (Object.values(weights).every((weight) => weight === 0))
    throw new DialerError('invalid_input', '--outcomes needs at least one weight above 0', '--outcomes');
  return weights;
}

/**
 * `--fault-rate 0.1` spreads 10 % of requests evenly over every fault kind; `--faults
 * server_error=0.05,timeout_after_placing=0.02` sets kinds one by one.
 */
export function parseFaults(rate: string | undefined, list: string | undefined): Faults {
  const faults: Faults = {};
  if (rate !== undefined) {
    const total = parseRate(rate, '--fault-rate');
    for (const kind of faultKinds) faults[kind] = total / faultKinds.length;
  }
  if (list !== undefined)
    Object.assign(
      faults,
      parsePairs(list, '--faults', faultKinds, (value) => parseRate(value, '--faults')),
    );
  const sum = Object.values(faults).reduce((total, value) => total + (value ?? 0), 0);
  if (sum > 1) throw new DialerError('invalid_input', `fault rates add up to ${Number(sum.toFixed(6))}: at most 1`, '--faults');
  return faults;
}

/** `--callback-hosts crm.internal, 10.0.0.5` -> ['crm.internal', '10.0.0.5']. */
export function parseHostList(text: string | undefined): string[] {
  if (text === undefined) return [];
  const hosts = text
    .split(',')
    .map((host) => host.trim())
    .filter(Boolean);
  const bad = hosts.find((host) => /[/@\s]/.test(host) || (host.includes(':') && !isIPv6(host.replace(/^\[(.*)\]$/, '$1'))));
  if (bad !== undefined) throw new DialerError('invalid_input', `--callback-hosts takes host names or addresses, not URLs, got "${bad}"`, '--callback-hosts');
  return hosts;
}

export function parseNonNegativeInteger(text: string, option: string): number {
  if (!/^\d+$/.test(text)) throw new DialerError('invalid_input', `${option} must be a whole number of 0 or more, got "${text}"`, option);
  return Number(text);
}

/** A share from 0 to 1, e.g. `--drop-callbacks 0.33`. */
export function parseShare(text: string, option: string): number {
  return parseRate(text, option);
}

function parseRate(text: string, option: string): number {
  const rate = Number(text);
  if (text.trim() === '' || !Number.isFinite(rate) || rate < 0 || rate > 1)
    throw new DialerError('invalid_input', `${option} rates are numbers from 0 to 1, got "${text}"`, option);
  return rate;
}

function parsePairs<K extends string>(
  text: string,
  option: string,
  names: readonly K[],
  parseValue = (value: string) => parseWeight(value, option),
): Partial<Record<K, number>> {
  const result: Partial<Record<K, number>> = {};
  for (const pair of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [name, value, ...rest] = pair.split('=');
    if (!names.includes(name as K)) throw new DialerError('invalid_input', `${option}: unknown name "${name}" (known: ${names.join(', ')})`, option);
    if (value === undefined || rest.length > 0) throw new DialerError('invalid_input', `${option}: write name=number, got "${pair}"`, option);
    result[name as K] = parseValue(value);
  }
  return result;
}

function parseWeight(text: string, option: string): number {
  const weight = Number(text);
  if (text.trim() === '' || !Number.isFinite(weight) || weight < 0)
    throw new DialerError('invalid_input', `${option} weights are numbers of 0 or more, got "${text}"`, option);
  return weight;
}
