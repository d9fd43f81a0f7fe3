import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../src/app.ts';
import { importContacts } from '../src/contacts/import-contacts.ts';
import { makeColumnPlan } from '../src/contacts/column-plan.ts';
import { isDialerError } from '../src/errors.ts';
import { useTestDatabase } from './support/database.ts';
import { makeCampaign, makeTestApp, useCsvFiles } from './support/import-fixtures.ts';
import { tallyMismatches } from './support/tallies.ts';

describe('importContacts', () => {
  const db = useTestDatabase();
  const files = useCsvFiles();
  let app: App;
  beforeAll(() => {
    app = makeTestApp(db);
  });
  afterAll(() => app.close());

  const contactsOf = (campaignId: string) =>
    db.prisma.contact.findMany({
      where: { campaignId },
      orderBy: { sourceRow: 'asc' },
      select: { phone: true, variables: true, timezone: true, state: true, sourceRow: true },
    });

  it('imports a real-world file: BOM, CRLF, quoted commas/quotes/newlines, trimmed case-insensitive headers', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write(
      'happy.csv',
      '\uFEFF First Name , PHONE ,Notes,TimeZone\r\n' +
        'Ada,(212) 555-0100,"likes ""tea"", and cake",america/chicago\r\n' +
        'Bob,+1 415 555 0101,"line one\r\nline two",\r\n' +
        'Cy,646.555.0102,plain,Europe/Paris\r\n',
    );
    const summary = await importContacts(app, { campaignId, file });
    expect(summary).toMatchObject({ rowsRead: 3, imported: 3, duplicates: 0, rejectedCount: 0, rejected: [], phoneColumn: 'PHONE', delimiter: ',' });
    expect(await contactsOf(campaignId)).toEqual([
      { phone: '+12125550100', variables: { first_name: 'Ada', notes: 'likes "tea", and cake' }, timezone: 'America/Chicago', state: 'pending', sourceRow: 2 },
      { phone: '+14155550101', variables: { first_name: 'Bob', notes: 'line one\r\nline two' }, timezone: null, state: 'pending', sourceRow: 3 },
      // The quoted newline above is one spreadsheet row, so this is row 4, not 5.
      { phone: '+16465550102', variables: { first_name: 'Cy', notes: 'plain' }, timezone: 'Europe/Paris', state: 'pending', sourceRow: 4 },
    ]);
    // Ids are UUIDv7 in row order (they keep contact's primary-key index appending at its right edge).
    const ids = (await db.prisma.contact.findMany({ where: { campaignId }, orderBy: { sourceRow: 'asc' }, select: { id: true } })).map((c) => c.id);
    expect(ids.every((id) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const importRow = await db.prisma.import.findUniqueOrThrow({ where: { id: summary.importId } });
    expect(importRow).toMatchObject({ status: 'completed', rowsRead: 3, imported: 3, duplicates: 0, rejected: 0 });
  });

  it.each([
    [';', 'name;mobile\nAda;2125550100\n'],
    ['\t', 'name\ttel\nAda\t2125550100\n'],
    ['|', 'name|msisdn\nAda|+12125550100\n'],
  ])('detects the %j delimiter and the phone column by its common name', async (delimiter, text) => {
    const campaignId = await makeCampaign(db);
    const summary = await importContacts(app, { campaignId, file: files.write(`delim-${delimiter.charCodeAt(0)}.csv`, text) });
    expect(summary).toMatchObject({ delimiter, imported: 1 });
    expect(await contactsOf(campaignId)).toMatchObject([{ phone: '+12125550100', variables: { name: 'Ada' } }]);
  });

  it('rejects bad rows with their spreadsheet row number and reason, and keeps the valid rows around them', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write(
      'bad-rows.csv',
      'phone,name,timezone\n' +
        '2125550100,Ada,\n' + // row 2 ok
        '"12",Short,\n' + // row 3 too short
        '+999 123 456,Nowhere,\n' + // row 4 invalid country code
        'call me,Text,\n' + // row 5 not a number
        '2125550101,Extra,,field\n' + // row 6 wrong field count
        '\n' + // row 7 blank line: skipped, still counted as a row
        '2125550102,Zone,Mars/Olympus\n' + // row 8 bad timezone
        ',Nobody,\n' + // row 9 empty phone
        '2125550103,"multi\nline",\n' + // row 10 ok
        '2125550104,Last,\n', // row 11 ok
    );
    const summary = await importContacts(app, { campaignId, file });
    expect(summary.rejected).toEqual([
      { row: 3, reason: 'phone "12": too short for US' },
      { row: 4, reason: expect.stringMatching(/^phone "\+999 123 456": invalid country code/) },
      { row: 5, reason: 'phone "call me": not a phone number' },
      { row: 6, reason: 'has 4 fields, the header has 3; extra field 4 ("field") is not empty' },
      { row: 8, reason: 'timezone "Mars/Olympus" is not an IANA time zone (e.g. America/New_York)' },
      { row: 9, reason: 'phone "": phone is empty' },
    ]);
    expect(summary).toMatchObject({ rowsRead: 9, imported: 3, duplicates: 0, rejectedCount: 6 });
    expect((await contactsOf(campaignId)).map((c) => [c.sourceRow, c.phone])).toEqual([
      [2, '+12125550100'],
      [10, '+12125550103'],
      [11, '+12125550104'],
    ]);
    const stored = await db.prisma.importRejection.findMany({ where: { importId: summary.importId }, orderBy: { rowNumber: 'asc' } });
    expect(stored.map((r) => [r.rowNumber, r.raw])).toEqual([
      [3, '12,Short,'],
      [4, '+999 123 456,Nowhere,'],
      [5, 'call me,Text,'],
      [6, '2125550101,Extra,,field'],
      [8, '2125550102,Zone,Mars/Olympus'],
      [9, ',Nobody,'],
    ]);
  });

  it('drops empty fields after the last column (as spreadsheets export them), and rejects non-empty extras and missing fields', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write(
      'field-count.csv',
      'phone,name,city\n' +
        '2125550100,Ada,Paris,,\n' + // row 2 ok: empty extras dropped
        '2125550101,Bob,Rome, ,""\n' + // row 3 ok: whitespace-only and quoted empty extras dropped
        '2125550102,Cy,Oslo,x\n' + // row 4 a non-empty extra
        '2125550103,Di,Lima,,y,,z\n' + // row 5 non-empty extras among empty ones
        '2125550104,Ed,Bern,a,b,c,d\n' + // row 6 more non-empty extras than the reason names
        '2125550105,Flo\n' + // row 7 a missing field
        '2125550106\n' + // row 8 two missing fields
        ',,,,\n' + // row 9 blank, extras and all: skipped
        '2125550107,Gus,Nice\n', // row 10 ok
    );
    const summary = await importContacts(app, { campaignId, file });
    expect(summary.rejected).toEqual([
      { row: 4, reason: 'has 4 fields, the header has 3; extra field 4 ("x") is not empty' },
      { row: 5, reason: 'has 7 fields, the header has 3; extra fields 5 ("y"), 7 ("z") are not empty' },
      { row: 6, reason: 'has 7 fields, the header has 3; extra fields 4 ("a"), 5 ("b"), 6 ("c") and 1 more are not empty' },
      { row: 7, reason: 'has 2 fields, the header has 3 (1 missing)' },
      { row: 8, reason: 'has 1 field, the header has 3 (2 missing)' },
    ]);
    expect(summary).toMatchObject({ rowsRead: 8, imported: 3, duplicates: 0, rejectedCount: 5 });
    expect(await contactsOf(campaignId)).toMatchObject([
      { sourceRow: 2, phone: '+12125550100', variables: { name: 'Ada', city: 'Paris' } },
      { sourceRow: 3, phone: '+12125550101', variables: { name: 'Bob', city: 'Rome' } },
      { sourceRow: 10, phone: '+12125550107', variables: { name: 'Gus', city: 'Nice' } },
    ]);
    const stored = await db.prisma.importRejection.findMany({ where: { importId: summary.importId }, orderBy: { rowNumber: 'asc' } });
    expect(stored.map((r) => [r.rowNumber, r.raw])).toEqual([
      [4, '2125550102,Cy,Oslo,x'],
      [5, '2125550103,Di,Lima,,y,,z'],
      [6, '2125550104,Ed,Bern,a,b,c,d'],
      [7, '2125550105,Flo'],
      [8, '2125550106'],
    ]);
  });

  it('rejects a number that is well-formed but not valid for its country', async () => {
    const campaignId = await makeCampaign(db);
    const summary = await importContacts(app, { campaignId, file: files.write('invalid-us.csv', 'phone\n+1 123 456 7890\n2125550100\n') });
    expect(summary.rejected).toEqual([{ row: 2, reason: 'phone "+1 123 456 7890": not a valid number for country code +1' }]);
    expect(summary.imported).toBe(1);
  });

  it('says when a national number rejected for the default country is valid in another one, for the first rows of a file', async () => {
    const campaignId = await makeCampaign(db);
    const gbRows = Array.from({ length: 201 }, (_, index) => `020 7946 ${String(index).padStart(4, '0')}\n`).join('');
    const summary = await importContacts(app, { campaignId, file: files.write('gb-in-us.csv', `phone\n+44 20 7946\n${gbRows}`) });
    expect(summary.rejected[0]).toEqual({ row: 2, reason: 'phone "+44 20 7946": too short for country code +44' });
    expect(summary.rejected[1]!.reason).toMatch(
      /^phone "020 7946 0000": too long for US; valid as a number of (\w\w, )*GB(, \w\w)*( or \w\w)? \(and \d+ more countries\): set the default country to the file's country$/,
    );
    // The hint costs a few ms per row: the file's first 200 rejected numbers get it, the rest not.
    expect(summary.rejected.filter((rejection) => rejection.reason.includes('valid as a number of'))).toHaveLength(199);
    expect(summary.rejected.at(-1)).toEqual({ row: 203, reason: 'phone "020 7946 0200": too long for US' });
  });

  it('counts duplicates in the file and in the campaign, never adds a second contact, and a re-run adds nothing', async () => {
    const campaignId = await makeCampaign(db);
    const first = files.write('dupes.csv', 'phone,name\n(212) 555-0100,First\n+12125550100,Second\n2125550101,Other\n');
    expect(await importContacts(app, { campaignId, file: first })).toMatchObject({ rowsRead: 3, imported: 2, duplicates: 1 });
    // The first row of a number wins.
    expect((await contactsOf(campaignId)).map((c) => c.variables)).toEqual([{ name: 'First' }, { name: 'Other' }]);
    expect(await importContacts(app, { campaignId, file: first })).toMatchObject({ rowsRead: 3, imported: 0, duplicates: 3 });
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(2);
  });

  it("keeps do-not-call numbers (global or this campaign) as suppressed contacts, ignores other campaigns' lists", async () => {
    const campaignId = await makeCampaign(db);
    const otherCampaignId = await makeCampaign(db);
    await db.prisma.doNotCallEntry.createMany({
      data: [
        { phone: '+12125550100', scope: 'global' },
        { phone: '+12125550101', scope: campaignId, campaignId },
        { phone: '+12125550102', scope: otherCampaignId, campaignId: otherCampaignId },
      ],
    });
    const file = files.write('dnc.csv', 'phone\n2125550100\n2125550101\n2125550102\n2125550103\n');
    expect(await importContacts(app, { campaignId, file })).toMatchObject({ imported: 4, suppressed: 2, duplicates: 0 });
    expect((await contactsOf(campaignId)).map((c) => [c.phone, c.state])).toEqual([
      ['+12125550100', 'suppressed'],
      ['+12125550101', 'suppressed'],
      ['+12125550102', 'pending'],
      ['+12125550103', 'pending'],
    ]);
  });

  it("uses the campaign's defaultCountry, and --default-country overrides it", async () => {
    const campaignId = await makeCampaign(db, 'GB');
    const file = files.write('gb.csv', 'phone\n020 7946 0958\n');
    expect(await importContacts(app, { campaignId, file })).toMatchObject({ imported: 1, defaultCountry: 'GB' });
    expect((await contactsOf(campaignId))[0]!.phone).toBe('+442079460958');
    const usCampaign = await makeCampaign(db, 'GB');
    const summary = await importContacts(app, { campaignId: usCampaign, file: files.write('us.csv', 'phone\n2125550100\n'), defaultCountry: 'us' });
    expect(summary).toMatchObject({ imported: 1, defaultCountry: 'US' });
  });

  it('uses --phone-column and --delimiter when given', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write('explicit.csv', 'home;work\n2125550100;2125550199\n');
    expect(await importContacts(app, { campaignId, file, phoneColumn: ' WORK ', delimiter: ';' })).toMatchObject({ imported: 1, phoneColumn: 'work' });
    expect(await contactsOf(campaignId)).toMatchObject([{ phone: '+12125550199', variables: { home: '2125550100' } }]);
  });

  it('decodes windows-1252 / latin1 when asked, and never stores mangled text', async () => {
    const campaignId = await makeCampaign(db);
    const bytes = Buffer.concat([Buffer.from('phone,name\n2125550100,Ren'), Buffer.from([0xe9, 0x20, 0x80, 0x0a])]);
    const file = files.write('cp1252.csv', bytes);
    await expectImportError(importContacts(app, { campaignId, file }), /not valid UTF-8: byte 0xE9 at byte offset 25 \(line 2\).*--encoding windows-1252/);
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(0);
    await importContacts(app, { campaignId, file, encoding: 'windows-1252' });
    expect(await contactsOf(campaignId)).toMatchObject([{ variables: { name: 'René €' } }]);
    const undefinedByte = files.write('cp1252-undefined.csv', Buffer.concat([Buffer.from('phone,name\n2125550101,X'), Buffer.from([0x81]), Buffer.from('\n')]));
    await expectImportError(
      importContacts(app, { campaignId, file: undefinedByte, encoding: 'windows-1252' }),
      /byte 0x81 at byte offset 23 is not a character in windows-1252/,
    );
  });

  it('refuses invalid UTF-8 deep in a file, naming the line, and keeps nothing from the file', async () => {
    const campaignId = await makeCampaign(db);
    // Larger than one read chunk, so the bad byte is met mid-COPY, after the import row exists.
    const good = Array.from({ length: 30_000 }, (_, i) => `+1212${String(5550000 + i)}`).join('\n');
    const file = files.write(
      'late-bad-byte.csv',
      Buffer.concat([Buffer.from(`phone,name\n${good}\n2125559999,`), Buffer.from([0xc3, 0x28]), Buffer.from('\n')]),
    );
    await expectImportError(importContacts(app, { campaignId, file }), /not valid UTF-8: byte 0xC3 at byte offset \d+ \(line 30002\)/);
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(0);
    const [failed] = await db.prisma.import.findMany({ where: { campaignId } });
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/not valid UTF-8/) });
  });

  it.each([
    ['an empty file', '', /is empty/],
    ['a header only', 'phone,name\n', /has a header but no data rows/],
    ['a blank first line', '\nphone\n2125550100\n', /the first line is blank; it must be the header/],
    ['no phone column', 'name,email\nAda,a@example.com\n', /no phone column: name one of the columns \(name, email\) with --phone-column/],
    ['duplicate header names', 'phone,Name,name \n2125550100,a,b\n', /duplicate column name "name" \(columns 2 and 3\)/],
    [
      'headers that collide as variables',
      'phone,First Name,first_name\n2125550100,a,b\n',
      /"First Name" and "first_name" both become the variable "first_name"/,
    ],
    ['an unclosed quote', 'phone,name\n2125550100,"Ada\n', /cannot parse the CSV: .*quote/i],
  ])('refuses %s with a clear error and imports nothing', async (_case, text, message) => {
    const campaignId = await makeCampaign(db);
    const file = files.write(`refused-${_case.replaceAll(' ', '-')}.csv`, text);
    await expectImportError(importContacts(app, { campaignId, file }), message);
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(0);
  });

  it('refuses a missing file, a missing --phone-column, an unknown campaign and a bad default country before writing anything', async () => {
    const campaignId = await makeCampaign(db);
    const file = files.write('fine.csv', 'phone\n2125550100\n');
    await expectImportError(importContacts(app, { campaignId, file: `${files.dir}/nope.csv` }), /cannot read .*nope\.csv: ENOENT/);
    await expectImportError(importContacts(app, { campaignId, file, phoneColumn: 'cell' }), /phone column "cell" not found; the columns are: phone/);
    await expectImportError(
      importContacts(app, { campaignId: '00000000-0000-4000-8000-000000000000', file }),
      /campaign 00000000-0000-4000-8000-000000000000 not found/,
    );
    await expectImportError(importContacts(app, { campaignId, file, defaultCountry: 'XX' }), /default country "XX" is not a supported/);
    expect(await db.prisma.import.count({ where: { campaignId } })).toBe(0);
  });

  it('an import whose process died is marked failed by the next one, which completes the campaign', async () => {
    const campaignId = await makeCampaign(db);
    // What a killed import leaves behind: its 'running' row (its transaction died with it).
    const dead = await db.prisma.import.create({ data: { campaignId, fileName: 'killed.csv', status: 'running' } });
    const summary = await importContacts(app, { campaignId, file: files.write('rerun.csv', 'phone\n2125550100\n') });
    expect(summary.imported).toBe(1);
    expect(await db.prisma.import.findUniqueOrThrow({ where: { id: dead.id } })).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/interrupted/),
    });
  });

  it('imports a larger file across many batches and COPY/merge rounds with exact counts', async () => {
    const campaignId = await makeCampaign(db);
    await db.prisma.doNotCallEntry.create({ data: { phone: '+12122005000', scope: 'global' } });
    // Every 1000th row is bad; numbers repeat after 12,000 rows, i.e. across rounds.
    const rows = Array.from({ length: 12_345 }, (_, i) => (i % 1000 === 999 ? `nope,v${i}` : `+1212${String(2000000 + (i % 12_000))},v${i}`));
    const file = files.write('large.csv', `phone,v\n${rows.join('\n')}\n`);
    const summary = await importContacts(app, { campaignId, file, rowsPerRound: 1_000 });
    expect(summary).toMatchObject({ rowsRead: 12_345, imported: 11_988, suppressed: 1, duplicates: 345, rejectedCount: 12 });
    expect(await db.prisma.importRejection.count({ where: { importId: summary.importId } })).toBe(12);
    expect(await db.prisma.contact.count({ where: { campaignId } })).toBe(11_988);
    const last = await db.prisma.contact.findFirstOrThrow({ where: { campaignId, phone: '+12122011998' } });
    expect(last).toMatchObject({ sourceRow: 12_000, variables: { v: 'v11998' } });
  });

  it('keeps the campaign tallies equal to the rows they count', async () => {
    expect(await tallyMismatches(db.pool)).toEqual([]);
  });
});

async function expectImportError(promise: Promise<unknown>, message: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(isDialerError(error), `expected a DialerError, got ${String(error)}`).toBe(true);
  expect((error as Error).message).toMatch(message);
}

describe('--phone-column', () => {
  it('matches a header as detection does: accents, case, spaces and punctuation ignored', () => {
    expect(makeColumnPlan(['Nom', 'Téléphone'], { phoneColumn: 'telephone' }).phoneIndex).toBe(1);
    expect(makeColumnPlan(['Nom', 'Téléphone'], { phoneColumn: 'TÉLÉPHONE' }).phoneIndex).toBe(1);
    expect(makeColumnPlan(['name', 'Work Phone'], { phoneColumn: 'work_phone' }).phoneIndex).toBe(1);
    expect(makeColumnPlan(['name', ' WORK '], { phoneColumn: 'work' }).phoneIndex).toBe(1);
  });

  it('prefers the exact header, and refuses a name matching several', () => {
    expect(makeColumnPlan(['Téléphone', 'telephone'], { phoneColumn: 'telephone' }).phoneIndex).toBe(1);
    expect(() => makeColumnPlan(['Téléphone', 'Telephone!'], { phoneColumn: 'telephone' })).toThrow(
      'phone column "telephone" matches several columns (Téléphone, Telephone!); give one exactly',
    );
    expect(() => makeColumnPlan(['name', 'phone'], { phoneColumn: 'cell' })).toThrow('phone column "cell" not found; the columns are: name, phone');
  });
});
