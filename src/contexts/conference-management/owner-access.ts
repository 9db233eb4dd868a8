import { createHash, timingSafeEqual } from 'node:crypto';
import type { Executor } from '../../platform/store/dialect.ts';
import { normalizeAccessCode } from '../shared/access-code.ts';
import { MAX_EMAIL_LENGTH, emailKey, hasControlCharacters } from '../shared/text-rules.ts';
import { type Conference, conferenceBySlug, managementDb, toConference } from './records.ts';
import { isSlug } from './rules.ts';

/**
 * How owners prove who they are: owner e-mail and access code, both case-insensitive; codes are
 * compared normalised, without checking their alphabet (imported V1 codes, DOMAIN 7.5).
 */

/** Longer inputs cannot be credentials; they are refused without a look-up. */
const MAX_CODE_LENGTH = 64;

interface Credentials {
  emailKey: string;
  accessCode: string;
}

/** Normalised credentials, or undefined when they cannot match any conference. */
function credentials(email: string, accessCode: string): Credentials | undefined {
  if (email.length > MAX_EMAIL_LENGTH || accessCode.length > MAX_CODE_LENGTH) return undefined;
  if (hasControlCharacters(email) || hasControlCharacters(accessCode)) return undefined;
  return { emailKey: emailKey(email), accessCode: normalizeAccessCode(accessCode) };
}

/** The conference of `slug` when e-mail and access code are its owner's (API Basic auth). */
export async function authenticateOwner(executor: Executor, slug: string, email: string, accessCode: string): Promise<Conference | undefined> {
  const given = credentials(email, accessCode);
  if (!given || !isSlug(slug)) return undefined;
  const conference = await conferenceBySlug(executor, slug);
  if (!conference) return undefined;
  const matches = sameSecret(`${emailKey(conference.ownerEmail)}\n${conference.accessCode}`, `${given.emailKey}\n${given.accessCode}`);
  return matches ? conference : undefined;
}

/** The conference an owner logs in to with e-mail and access code (DOMAIN 3.1 "Log in (locate)"). */
export async function locateConference(executor: Executor, email: string, accessCode: string): Promise<Conference | undefined> {
  const given = credentials(email, accessCode);
  if (!given) return undefined;
  const row = await managementDb(executor)
    .selectFrom('conferences')
    .selectAll()
    .where('owner_email_key', '=', given.emailKey)
    .where('access_code', '=', given.accessCode)
    .executeTakeFirst();
  return row && toConference(row);
}

/** Every conference of an owner e-mail, by start date then name (access-code recovery, DOMAIN 6.2). */
export async function conferencesOwnedBy(executor: Executor, email: string): Promise<Conference[]> {
  if (email.length > MAX_EMAIL_LENGTH || hasControlCharacters(email)) return [];
  const rows = await managementDb(executor).selectFrom('conferences').selectAll().where('owner_email_key', '=', emailKey(email)).execute();
  // Sorted here, not in SQL: the databases' collations order names differently.
  return rows.map(toConference).sort((a, b) => a.startDate.localeCompare(b.startDate) || a.name.localeCompare(b.name, 'en'));
}

/** Equal strings, compared in constant time. */
function sameSecret(expected: string, given: string): boolean {
  return timingSafeEqual(digest(expected), digest(given));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
