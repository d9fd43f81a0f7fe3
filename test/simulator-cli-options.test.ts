import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseFaults, parseHostList, parseNonNegativeInteger, parseOutcomeWeights, parseShare } from '../src/simulator/parse-cli-options.ts';
import { faultKinds } from '../src/simulator/simulator-options.ts';

describe('dialer simulator options', () => {
  it('reads outcome weights', () => {
    expect(parseOutcomeWeights('completed=70, no-answer=10,busy=5,voicemail=0.5')).toEqual({ completed: 70, 'no-answer': 10, busy: 5, voicemail: 0.5 });
  });

  it.each([
    ['completed=x', '--outcomes weights are numbers of 0 or more, got "x"'],
    ['answered=5', '--outcomes: unknown name "answered" (known: completed, no-answer, busy, failed, canceled, voicemail)'],
    ['completed', '--outcomes: write name=number, got "completed"'],
    ['completed=0', '--outcomes needs at least one weight above 0'],
  ])('refuses outcomes %s', (text, message) => {
    expect(() => parseOutcomeWeights(text)).toThrow(message);
  });

  it('spreads --fault-rate over every fault kind and lets --faults set kinds', () => {
    const spread = parseFaults('0.14', undefined);
    expect(Object.keys(spread)).toEqual([...faultKinds]);
    expect(Object.values(spread).reduce((sum, rate) => sum! + rate!, 0)).toBeCloseTo(0.14);
    expect(parseFaults(undefined, 'server_error=0.05,timeout_after_placing=0.02')).toEqual({ server_error: 0.05, timeout_after_placing: 0.02 });
    expect(parseFaults(undefined, undefined)).toEqual({});
  });

  it.each([
    ['1.5', undefined, '--fault-rate rates are numbers from 0 to 1, got "1.5"'],
    [undefined, 'server_error=0.7,rate_limited=0.6', 'fault rates add up to 1.3: at most 1'],
    [undefined, 'disk_full=0.1', '--faults: unknown name "disk_full"'],
  ])('refuses faults %s %s', (rate, list, message) => {
    expect(() => parseFaults(rate, list)).toThrow(message);
  });

  it('reads --callback-hosts as a list of hosts, not URLs', () => {
    expect(parseHostList(undefined)).toEqual([]);
    expect(parseHostList('crm.internal, 10.0.0.5,,[fd00::2],fd00::3,*')).toEqual(['crm.internal', '10.0.0.5', '[fd00::2]', 'fd00::3', '*']);
    expect(() => parseHostList('https://crm.example.com/hooks')).toThrow(
      '--callback-hosts takes host names or addresses, not URLs, got "https://crm.example.com/hooks"',
    );
    expect(() => parseHostList('crm.internal:8080')).toThrow('not URLs');
  });

  it('reads shares such as --drop-callbacks from 0 to 1', () => {
    expect(parseShare('0.33', '--drop-callbacks')).toBe(0.33);
    expect(() => parseShare('2', '--drop-callbacks')).toThrow('--drop-callbacks rates are numbers from 0 to 1, got "2"');
  });

  it('refuses a port that is not a whole number', () => {
    expect(parseNonNegativeInteger('4010', '--port')).toBe(4010);
    expect(() => parseNonNegativeInteger('-1', '--port')).toThrow('--port must be a whole number of 0 or more, got "-1"');
  });
});

describe('dialer simulator (the command)', () => {
  it('prints its base URL, API key and public key, serves dials, and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['src/cli/bin.mjs', 'simulator', '--port', '0', '--api-key', 'cli-key', '--json', '--seed', '1', '--account-sid', 'acct-cli', '--record-delay-ms', '0'],
      {
        cwd: new URL('..', import.meta.url).pathname,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let stdout = '';
    const started = await new Promise<{ baseUrl: string; apiKey: string; publicKey: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += String(chunk);
        if (stdout.trimEnd().endsWith('}')) resolve(JSON.parse(stdout));
      });
      child.on('exit', (code) => reject(new Error(`simulator exited early with ${code}`)));
    });
    expect(started).toEqual({
      baseUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/v2$/),
      apiKey: 'cli-key',
      publicKey: expect.any(String),
      accountSid: 'acct-cli',
    });
    expect(Buffer.from(started.publicKey, 'base64')).toHaveLength(32);

    const response = await fetch(`${started.baseUrl}/texml/ai_calls/conn-1`, {
      method: 'POST',
      headers: { authorization: 'Bearer cli-key', 'content-type': 'application/json' },
      body: JSON.stringify({ From: '+13125550100', To: '+14155550123', AIAssistantId: 'assistant-abc' }),
    });
    expect(response.status).toBe(200);
    const callSid = ((await response.json()) as { call_sid: string }).call_sid;
    expect(callSid).toMatch(/^v3:/);
    const record = await fetch(`${started.baseUrl}/texml/Accounts/acct-cli/Calls/${encodeURIComponent(callSid)}`, {
      headers: { authorization: 'Bearer cli-key' },
    });
    expect(record.status).toBe(200);
    expect(await record.json()).toMatchObject({ sid: callSid, account_sid: 'acct-cli' });

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
