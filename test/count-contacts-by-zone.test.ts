import { describe, expect, it } from 'vitest';
import { contactTimezones } from '../src/calling-hours/contact-timezones.ts';
import { COUNTRY_ZONES } from '../src/calling-hours/timezone-data.ts';
import { countContactsByZone } from '../src/scheduling/count-contacts-by-zone.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';
import { makeCampaignWithContacts } from './support/scheduling-fixtures.ts';

describe('countContactsByZone', () => {
  const db = useTestDatabase();
  const ctx = useTestApp(db);

  it('groups the waiting contacts by their zones: given, by area code, by country, or by the whole number', async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, {
      status: 'draft',
      contacts: [
        // NANP without a timezone: by area code.
        { phone: '+12125550101' },
        { phone: '+12125550102', state: 'queued' },
        { phone: '+16465550103', timezone: '' },
        { phone: '+13105550104' },
        { phone: '+13125550105', state: 'queued' },
        { phone: '+12684601234' }, // Antigua
        { phone: '+18765550106' }, // Jamaica
        // A timezone that names a zone wins over the number, whatever its spelling.
        { phone: '+12125550107', timezone: 'Europe/Paris' },
        { phone: '+33612345678', timezone: 'Asia/Tokyo' },
        { phone: '+12125550108', timezone: 'asia/calcutta' },
        { phone: '+447400123456', timezone: ' Europe/London ' },
        // One that does not is ignored: the number decides, number by number.
        { phone: '+12125550109', timezone: 'EST' },
        { phone: '+12121000109', timezone: 'Mars/Olympus_Mons' }, // no NANP country's plan: all of them
        { phone: '+33612345679', timezone: 'CET' },
        // Other countries: the calling code (one country's own) or the whole number (a shared one).
        { phone: '+33612345670' },
        { phone: '+33140000000' },
        { phone: '+4915112345678' },
        { phone: '+819012345678' },
        { phone: '+919876543210' },
        { phone: '+442071234567' }, // London
        { phone: '+447911123456' }, // Guernsey
        { phone: '+79161234567' }, // Russia
        { phone: '+77011234567' }, // Kazakhstan
        { phone: '+61412345678' }, // Australia
        // Odd shapes.
        { phone: '+3361' },
        { phone: '+999123456' },
        { phone: 'not a number' },
        // Not waiting: never counted.
        { phone: '+12125550110', state: 'completed' },
        { phone: '+33612345671', state: 'dialing' },
        { phone: '+33612345672', state: 'in_call' },
        { phone: '+447911123457', state: 'suppressed' },
        { phone: '+13105550111', state: 'failed', timezone: 'Asia/Tokyo' },
        { phone: '+819012345679', state: 'no_answer' },
      ],
    });
    // Another campaign's waiting contacts are not this one's.
    await makeCampaignWithContacts(ctx.app, { contacts: [{ phone: '+12125550112' }, { phone: '+33612345673' }, { phone: '+447911123458' }] });

    const everyNanpZone = contactTimezones('+19995551234', null);
    expect(everyNanpZone.length).toBeGreaterThan(10);
    expect(await countContactsByZone(ctx.app.pool, campaignId)).toEqual([
      { zones: ['Europe/Paris'], contacts: 5 },
      { zones: ['America/New_York'], contacts: 4 },
      // Equal counts: in the order of the zones' names.
      { zones: [], contacts: 2 },
      { zones: ['Asia/Kolkata'], contacts: 2 },
      { zones: ['Asia/Tokyo'], contacts: 2 },
      { zones: ['Europe/London'], contacts: 2 },
      { zones: ['America/Antigua'], contacts: 1 },
      { zones: everyNanpZone, contacts: 1 },
      { zones: ['America/Chicago'], contacts: 1 },
      { zones: ['America/Jamaica'], contacts: 1 },
      { zones: ['America/Los_Angeles'], contacts: 1 },
      { zones: [...COUNTRY_ZONES.KZ!], contacts: 1 },
      { zones: [...COUNTRY_ZONES.AU!], contacts: 1 },
      { zones: ['Europe/Berlin', 'Europe/Busingen'], contacts: 1 },
      { zones: ['Europe/Guernsey'], contacts: 1 },
      { zones: [...COUNTRY_ZONES.RU!], contacts: 1 },
    ]);
  });

  it("gives a +1 number without a timezone its area's zones, those of the area's first contact by id", async () => {
    const { campaignId } = await makeCampaignWithContacts(ctx.app, { contacts: [] });
    // 415-100 and 617-100 fit no NANP country's plan (on their own: every NANP zone).
    const contacts = [
      ['00000000-0000-4000-8000-000000000001', '+14155550100'],
      ['00000000-0000-4000-8000-000000000002', '+14151000100'],
      ['00000000-0000-4000-8000-000000000003', '+16171000100'],
      ['00000000-0000-4000-8000-000000000004', '+16175550100'],
    ];
    for (const [id, phone] of contacts) await ctx.app.pool.query(`INSERT INTO contact (id, campaign_id, phone) VALUES ($1, $2, $3)`, [id, campaignId, phone]);

    expect(await countContactsByZone(ctx.app.pool, campaignId)).toEqual([
      { zones: contactTimezones('+19995551234', null), contacts: 2 },
      { zones: ['America/Los_Angeles'], contacts: 2 },
    ]);
  });
});
