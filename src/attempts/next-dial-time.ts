import { findNextCallTime, type CallingWindow } from '../calling-hours/calling-window.ts';
import { contactTimezones } from '../calling-hours/contact-timezones.ts';

/**
 * When this contact may be dialed: `now`, a later instant, or null when never (no known time zone
 * for the number, or the window is never open in all of its zones at once).
 */
export function nextDialTime(now: Date, window: CallingWindow, contact: { phone: string; timezone: string | null }): Date | null {
  const zones = contactTimezones(contact.phone, contact.timezone);
  return zones.length === 0 ? null : findNextCallTime(now, window, zones);
}
