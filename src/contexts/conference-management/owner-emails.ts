import type { OutgoingEmail } from '../notifications/outbox.ts';
import type { Conference } from './records.ts';

/** The management log-in page, absolute (links in e-mails are based on PUBLIC_URL). */
function managementLoginUrl(publicUrl: string): string {
  return `${publicUrl}/manage/locate`;
}

/** The owner's access-code e-mail on `ConferenceCreated` (DOMAIN 3.4): the only place the code travels. */
export function accessCodeEmail(conference: Conference, triggerId: string, publicUrl: string): OutgoingEmail {
  return {
    triggerId,
    to: conference.ownerEmail,
    subject: `Your conference ${conference.name} on Contoso Conference`,
    body: [
      `Hello ${conference.ownerName},`,
      '',
      'your conference has been created. Keep this e-mail: you need the access code to manage it.',
      '',
      `Conference: ${conference.name}`,
      `Slug: ${conference.slug}`,
      `Access code: ${conference.accessCode}`,
      '',
      `Log in with your e-mail address (${conference.ownerEmail}) and the access code at ${managementLoginUrl(publicUrl)}`,
    ].join('\n'),
  };
}
