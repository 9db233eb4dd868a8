import type { Store } from '../../../platform/store/store.ts';
import { type OutgoingEmail, recordEmail } from '../../notifications/outbox.ts';
import { conferencesOwnedBy } from '../owner-access.ts';
import type { Conference } from '../records.ts';
import { paths } from './paths.ts';

/** The access-code recovery e-mail (DOMAIN 3.4): name, slug and access code of each conference. */
function recoveryEmail(to: string, conferences: Conference[], triggerId: string, publicUrl: string): OutgoingEmail {
  return {
    triggerId,
    to,
    subject: 'Your Contoso Conference access codes',
    body: [
      'Hello,',
      '',
      'someone (we hope you) asked for the access codes of the conferences created with this e-mail address:',
      ...conferences.flatMap((conference) => ['', `Conference: ${conference.name}`, `Slug: ${conference.slug}`, `Access code: ${conference.accessCode}`]),
      '',
      `Log in with your e-mail address and an access code at ${publicUrl}${paths.login}`,
    ].join('\n'),
  };
}

/**
 * Access-code recovery (DOMAIN 6.2): records one e-mail to the address entered listing every
 * conference it owns, or none when it owns none. `triggerId` is the request's id.
 */
export async function recoverAccessCodes(store: Store, request: { email: string; triggerId: string; publicUrl: string }, now = new Date()): Promise<void> {
  await store.transaction(async (tx) => {
    const conferences = await conferencesOwnedBy(tx.db, request.email);
    if (conferences.length > 0) await recordEmail(tx, recoveryEmail(request.email, conferences, request.triggerId, request.publicUrl), now);
  });
}
