import { describe, expect, it } from 'vitest';
import { createDemoCampaign } from '../src/demo/demo-setup.ts';
import { defaultDemoFiles } from '../src/demo/run-demo.ts';
import { useTestApp } from './support/app.ts';
import { useTestDatabase } from './support/database.ts';

const db = useTestDatabase();
const ctx = useTestApp(db);

describe('the demo campaign', () => {
  it('is named with the time; two runs in the same second get names of their own', async () => {
    const now = new Date('2026-12-03T18:05:09.123Z');
    const [first, second] = [await createDemoCampaign(ctx.app, defaultDemoFiles, now), await createDemoCampaign(ctx.app, defaultDemoFiles, now)];
    expect(first.name).toMatch(/ 2026-12-03 18:05:09$/);
    expect(second.name).toBe(`${first.name} (2)`);
    expect(second.import.imported).toBe(first.import.imported);
    expect(await db.prisma.campaign.count()).toBe(2);
  });
});
