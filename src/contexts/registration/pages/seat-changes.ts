/**
 * What saving the assign-seats form does (DOMAIN 6.1 "Assign seats"), decided from the rows as typed
 * and the attendees as stored. Values are trimmed and e-mails compared case-insensitively. A seat
 * that had an attendee and whose e-mail is now blank is freed, whatever the names say; a row with
 * anything typed that differs from the stored attendee assigns the seat; an empty row of an empty
 * seat stays so. Every row is validated before anything is sent: one invalid row, no change at all.
 */
import type { FieldErrors } from '../../shared/field-checks.ts';
import type { PersonalInfo } from '../contract.ts';
import { checkPersonalInfo, sameEmail, sameNames } from '../personal-info.ts';

export interface SeatForm {
  position: number;
  stored: PersonalInfo | null;
  typed: PersonalInfo;
}

/** Assign the attendee, or free the seat (attendee null). */
export interface SeatChange {
  position: number;
  attendee: PersonalInfo | null;
}

export type SeatPlan = { ok: true; changes: SeatChange[] } | { ok: false; errors: Map<number, FieldErrors> };

export function planSeatChanges(rows: readonly SeatForm[]): SeatPlan {
  const changes: SeatChange[] = [];
  const errors = new Map<number, FieldErrors>();
  for (const { position, stored, typed } of rows) {
    const values = { firstName: typed.firstName.trim(), lastName: typed.lastName.trim(), email: typed.email.trim() };
    if (stored && values.email === '') {
      changes.push({ position, attendee: null });
      continue;
    }
    const filled = values.firstName !== '' || values.lastName !== '' || values.email !== '';
    if (!filled) continue;
    const checked = checkPersonalInfo(values);
    if (!checked.ok) errors.set(position, checked.errors);
    else if (!stored || !sameEmail(stored, checked.value) || !sameNames(stored, checked.value)) changes.push({ position, attendee: checked.value });
  }
  return errors.size > 0 ? { ok: false, errors } : { ok: true, changes };
}
