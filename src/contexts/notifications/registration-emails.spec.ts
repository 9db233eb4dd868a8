import { describe, expect, it } from 'vitest';
import { REFUND_REASONS } from '../payments/contract.ts';
import { REFUND_REASON_WORDS, refundEmails } from './registration-emails.ts';
import type { ConferenceFacts } from './registration-facts.ts';

const conference: ConferenceFacts = {
  name: 'CQRS Summit',
  slug: 'cqrs',
  startDate: '2030-06-12',
  endDate: '2030-06-14',
  location: 'Redmond, WA',
  ownerName: 'Olivia Owner',
  ownerEmail: 'olivia@example.com',
};
const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };

describe('refund e-mails', () => {
  it('give every refund reason in its own plain words, to the registrant and the owner', () => {
    const worded = new Set<string>();
    for (const reason of REFUND_REASONS) {
      const emails = refundEmails('t', conference, { amount: 19_900, reason, order: { accessCode: 'AB12CD', registrant: ada } });
      expect(emails.map((email) => email.to)).toEqual([ada.email, conference.ownerEmail]);
      for (const email of emails) {
        expect(email.body).toContain(`${REFUND_REASON_WORDS[reason]}.`);
        expect(email.body).not.toContain(reason);
      }
      worded.add(REFUND_REASON_WORDS[reason]);
    }
    expect(worded.size).toBe(REFUND_REASONS.length);
  });

  it('write once to a registrant who owns the conference', () => {
    const owner = { ...ada, email: 'OLIVIA@example.com' };
    const emails = refundEmails('t', conference, { amount: 500, reason: 'DuplicatePayment', order: { accessCode: 'AB12CD', registrant: owner } });
    expect(emails).toEqual([expect.objectContaining({ to: owner.email, subject: 'Refund of $5.00 for order #AB12CD (CQRS Summit)' })]);
  });
});
