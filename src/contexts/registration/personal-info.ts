/**
 * The rules of a person's details (DOMAIN 3.2.1: `AssignRegistrantDetails`, `AssignSeat`): first and
 * last name required, at most 100 characters; e-mail required and valid. The sites answer these as
 * field errors; the deciders check them again and refuse.
 */
import { type Checked, collect } from '../shared/field-checks.ts';
import { checkEmail, checkRequiredText, emailKey } from '../shared/text-rules.ts';
import { DomainError } from '../../platform/processing/commands.ts';
import type { PersonalInfo } from './contract.ts';

export const MAX_NAME_LENGTH = 100;

/** Field errors keyed `firstName`, `lastName`, `email`; labels as DOMAIN 3.2.1 words them. */
export function checkPersonalInfo(input: { firstName?: unknown; lastName?: unknown; email?: unknown }): Checked<PersonalInfo> {
  return collect<PersonalInfo>({
    firstName: checkRequiredText(input.firstName, { label: 'FirstName', max: MAX_NAME_LENGTH }),
    lastName: checkRequiredText(input.lastName, { label: 'LastName', max: MAX_NAME_LENGTH }),
    email: checkEmail(input.email, 'Email'),
  });
}

/** The cleaned details, or a refusal carrying the first broken rule's message. */
export function validPersonalInfo(input: PersonalInfo): PersonalInfo {
  const checked = checkPersonalInfo(input);
  if (!checked.ok) throw new DomainError(Object.values(checked.errors)[0]);
  return checked.value;
}

/** PersonalInfo equality (DOMAIN 3.0): e-mail case-insensitive. */
export function sameEmail(a: PersonalInfo, b: PersonalInfo): boolean {
  return emailKey(a.email) === emailKey(b.email);
}

/** Names compare exactly. */
export function sameNames(a: PersonalInfo, b: PersonalInfo): boolean {
  return a.firstName === b.firstName && a.lastName === b.lastName;
}
