import { tmpdir } from 'node:os';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { useTestRedisPrefix } from './support/redis.ts';

const token = 'operator-token-0123456789';
const auth = { authorization: `Bearer ${token}` };
const boundary = 'dialer-upload-boundary';
const multipartHeaders = { ...auth, 'content-type': `multipart/form-data; boundary=${boundary}` };
const filePart = (fileName: string, content: string) =>
  `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n`;
const form = (...parts: string[]) => `${parts.join('')}--${boundary}--\r\n`;

describe('operator API uploads: errors in the API’s words, size limit, one file', () => {
  const db = useTestDatabase();
  const prefix = useTestRedisPrefix();
  // A small limit, so an upload over it is cheap to send.
  const maxUploadBytes = 200;
  const test = useTestApp(db, { QUEUE_PREFIX: prefix, API_TOKEN: token, MAX_UPLOAD_BYTES: String(maxUploadBytes) }, { server: {} });

  const newCampaign = async () => {
    const campaign = await db.prisma.campaign.create({ data: { name: `upload ${Math.random()}`, config: { defaultCountry: 'US' }, maxConcurrentCalls: 1 } });
    return campaign.id;
  };
  const contactCount = async (id: string) => (await db.pool.query(`SELECT count(*)::int AS n FROM contact WHERE campaign_id = $1`, [id])).rows[0].n;
  const upload = (id: string, query: string, payload: string | Buffer | Readable) =>
    test.server.inject({ method: 'POST', url: `/api/campaigns/${id}/contacts${query}`, headers: { ...auth, 'content-type': 'text/csv' }, payload });
  const serverPaths = [tmpdir(), 'dialer-upload-'];
  const expectNoServerPath = (body: string) => {
    for (const fragment of serverPaths) expect(body).not.toContain(fragment);
  };

  it('names the query parameters and the uploaded file in errors, never CLI flags or server paths', async () => {
    const id = await newCampaign();
    const errorOf = async (response: Awaited<ReturnType<typeof upload>>) => {
      expect(response.statusCode, response.body).toBe(400);
      expectNoServerPath(response.body);
      expect(response.body).not.toMatch(/--[a-z]/);
      return response.json().error as { message: string; field: string };
    };

    const noPhone = await errorOf(await upload(id, '?fileName=people.csv', 'name,city\nAda,Paris\n'));
    expect(noPhone.field).toBe('phoneColumn');
    expect(noPhone.message).toContain('with the query parameter phoneColumn');

    const wrongPhone = await errorOf(await upload(id, '?fileName=people.csv&phoneColumn=mobile', 'phone\n+12025550111\n'));
    expect(wrongPhone.field).toBe('phoneColumn');

    const latin1 = await errorOf(await upload(id, '?fileName=people.csv', Buffer.from('phone,name\n+12025550111,Zo\xe9\n', 'latin1')));
    expect(latin1.field).toBe('encoding');
    expect(latin1.message).toContain('send it again with ?encoding=windows-1252');

    const country = await errorOf(await upload(id, '?fileName=people.csv&defaultCountry=XX', 'phone\n2025550111\n'));
    expect(country.field).toBe('defaultCountry');

    const headerOnly = await errorOf(await upload(id, '?fileName=people.csv', 'phone\n'));
    expect(headerOnly).toMatchObject({ field: 'file', message: 'people.csv has a header but no data rows' });
    const unnamed = await errorOf(await upload(id, '', 'phone\n'));
    expect(unnamed.message).toBe('the upload has a header but no data rows');

    const emptyFile = await test.server.inject({
      method: 'POST',
      url: `/api/campaigns/${id}/contacts`,
      headers: multipartHeaders,
      payload: form(filePart('list.csv', '')),
    });
    expect((await errorOf(emptyFile)).message).toMatch(/^list\.csv is empty/);
    expect(await contactCount(id)).toBe(0);
  });

  it('answers a successful upload without any server path', async () => {
    const id = await newCampaign();
    const named = await upload(id, '?fileName=people.csv', 'phone\n+12025550111\n');
    expect(named.statusCode, named.body).toBe(201);
    expect(named.json()).toMatchObject({ file: 'people.csv', imported: 1 });
    expectNoServerPath(named.body);
    const unnamed = await upload(id, '', 'phone\n+12025550112\n');
    expect(unnamed.json()).toMatchObject({ file: 'the upload', imported: 1 });
    const viaForm = await test.server.inject({
      method: 'POST',
      url: `/api/campaigns/${id}/contacts`,
      headers: multipartHeaders,
      payload: form(filePart('more.csv', 'phone\n+12025550113\n')),
    });
    expect(viaForm.json()).toMatchObject({ file: 'more.csv', imported: 1 });
    expectNoServerPath(viaForm.body);
  });

  it('refuses an upload over MAX_UPLOAD_BYTES with 413 and imports nothing (declared size, streamed body, form file)', async () => {
    expect(parseConfig({}).MAX_UPLOAD_BYTES).toBe(1024 ** 3);
    const id = await newCampaign();
    const rows = Array.from({ length: 30 }, (_, index) => `+1202555${String(1000 + index)}`);
    const big = `phone\n${rows.join('\n')}\n`;
    expect(big.length).toBeGreaterThan(maxUploadBytes);

    const declared = await upload(id, '?fileName=big.csv', big);
    const streamed = await upload(id, '?fileName=big.csv', Readable.from([big.slice(0, 100), big.slice(100)]));
    const viaForm = await test.server.inject({
      method: 'POST',
      url: `/api/campaigns/${id}/contacts`,
      headers: multipartHeaders,
      payload: form(filePart('big.csv', big)),
    });
    for (const response of [declared, streamed, viaForm]) {
      expect(response.statusCode, response.body).toBe(413);
      expect(response.json().error).toEqual({
        code: 'too_large',
        message: `the upload is larger than the limit of ${maxUploadBytes} bytes (MAX_UPLOAD_BYTES)`,
        field: 'file',
      });
    }
    expect(await contactCount(id)).toBe(0);
    // Just under the limit is fine.
    const small = await upload(id, '?fileName=small.csv', `phone\n${rows.slice(0, 5).join('\n')}\n`);
    expect(small.statusCode, small.body).toBe(201);
  });

  it('refuses a form with two files (400, one clear error) instead of importing the first', async () => {
    const id = await newCampaign();
    const twoFiles = form(filePart('a.csv', 'phone\n+12025550121\n'), filePart('b.csv', 'phone\n+12025550122\n'));
    const response = await test.server.inject({ method: 'POST', url: `/api/campaigns/${id}/contacts`, headers: multipartHeaders, payload: twoFiles });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json().error).toEqual({ code: 'invalid_input', message: 'the form has more than one file: send one CSV file per upload', field: 'file' });
    expect(await contactCount(id)).toBe(0);
  });
});
