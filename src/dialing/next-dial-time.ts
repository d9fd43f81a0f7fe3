import type { CampaignConfig } from '../campaigns/config-schema.ts';
import { findNextCallTime } from '../scheduling/calling-window.ts';
import { contactTimezones } from '../scheduling/contact-timezones.ts';

/**
 * When this contact may be dialed: `now`, a later instant, or null when never (no known time zone
 * for the number, or the window is never open in all of its zones at once).
 */
export function nextDialTime(now: Date, window: CampaignConfig['callingWindow'], contact: { phone: string; timezone: string | null }): Date | null {
  const zones = contactTimezones(contact.phone, contact.timezone);
  return zones.length === 0 ? null : findNextCallTime(now, window, zones);
}
