/**
 * The texts of the e-mails Registration and Payments events cause (DOMAIN 3.4). Plain text (the
 * sender sends no HTML), absolute links based on PUBLIC_URL, and nothing internal: no ids, no
 * event names, only what the recipient may know.
 */
import { formatDateRange, formatMoney } from '../../web/pages/format.ts';
import type { REFUND_REASONS } from '../payments/contract.ts';
import type { OrderLine, PersonalInfo } from '../registration/contract.ts';
import type { OutgoingEmail } from './outbox.ts';
import type { ConferenceFacts } from './registration-facts.ts';

type RefundReason = (typeof REFUND_REASONS)[number];

/** Why a payment was refunded, in words that complete "because …". */
export const REFUND_REASON_WORDS: Record<RefundReason, string> = {
  OrderExpired: 'the reservation expired before the payment completed',
  OrderChanged: 'the order was changed after the payment had started',
  DuplicatePayment: 'the order had already been paid',
  AmountMismatch: 'the amount paid did not match the order total',
  ReservationNotComplete: 'not all of the seats were reserved when the payment completed',
  OrderNotFound: 'the payment did not belong to any order',
};

const fullName = (person: PersonalInfo) => `${person.firstName} ${person.lastName}`;
const orderNumber = (accessCode: string) => `order #${accessCode}`;

/** "Locate registration" of a conference, absolute. */
export function locateRegistrationUrl(publicUrl: string, slug: string): string {
  return `${publicUrl}/${slug}/order/find`;
}

export interface ConfirmedOrder {
  accessCode: string;
  registrant: PersonalInfo;
  lines: OrderLine[];
  total: number;
  /** Seat type names by id. */
  seatTypeNames: Map<string, string>;
}

/** To the registrant on `OrderConfirmed`: the order number, what was bought and how to find it again. */
export function orderConfirmedEmail(triggerId: string, conference: ConferenceFacts, order: ConfirmedOrder, publicUrl: string): OutgoingEmail {
  const lines = order.lines
    .filter((line) => line.quantity > 0)
    .map((line) => `  ${line.quantity} × ${order.seatTypeNames.get(line.seatType)} at ${formatMoney(line.unitPrice)}: ${formatMoney(line.lineTotal)}`);
  return {
    triggerId,
    to: order.registrant.email,
    subject: `Your registration for ${conference.name}: ${orderNumber(order.accessCode)}`,
    body: [
      `Hello ${fullName(order.registrant)},`,
      '',
      `thank you for registering for ${conference.name}. Your ${orderNumber(order.accessCode)} is confirmed.`,
      '',
      ...lines,
      `Total: ${formatMoney(order.total)}`,
      '',
      `To see your order or assign its seats to attendees, go to "Locate registration" at ${locateRegistrationUrl(publicUrl, conference.slug)}`,
      `and enter your e-mail address (${order.registrant.email}) and the order number ${order.accessCode}.`,
    ].join('\n'),
  };
}

/** To the new attendee on `SeatAssigned`: the conference, its dates and place, the seat, who gave it. */
export function seatAssignedEmail(
  triggerId: string,
  conference: ConferenceFacts,
  seat: { attendee: PersonalInfo; seatTypeName: string; registrant: PersonalInfo | null },
): OutgoingEmail {
  const giver = seat.registrant ? `${fullName(seat.registrant)} has assigned you` : 'You have been assigned';
  return {
    triggerId,
    to: seat.attendee.email,
    subject: `Your seat at ${conference.name}`,
    body: [
      `Hello ${fullName(seat.attendee)},`,
      '',
      `${giver} a seat at ${conference.name}.`,
      '',
      `Conference: ${conference.name}`,
      `Dates: ${formatDateRange(conference.startDate, conference.endDate)}`,
      `Location: ${conference.location}`,
      `Seat: ${seat.seatTypeName}`,
      '',
      'See you there!',
    ].join('\n'),
  };
}

export interface Refund {
  amount: number;
  reason: RefundReason;
  /** The order paid for; null when the payment named no order that exists. */
  order: { accessCode: string; registrant: PersonalInfo | null } | null;
}

/**
 * On `PaymentRefunded`: one e-mail to the registrant (when known) and one to the conference owner.
 * One person who is both gets the registrant's e-mail only.
 */
export function refundEmails(triggerId: string, conference: ConferenceFacts, refund: Refund): OutgoingEmail[] {
  const amount = formatMoney(refund.amount);
  const because = REFUND_REASON_WORDS[refund.reason];
  const subject = `Refund of ${amount} for ${refund.order ? orderNumber(refund.order.accessCode) : 'a payment'} (${conference.name})`;
  const emails: OutgoingEmail[] = [];
  const registrant = refund.order?.registrant;
  if (refund.order && registrant) {
    emails.push({
      triggerId,
      to: registrant.email,
      subject,
      body: [
        `Hello ${fullName(registrant)},`,
        '',
        `we have refunded the ${amount} you paid for your ${orderNumber(refund.order.accessCode)} for ${conference.name},`,
        `because ${because}.`,
        '',
        'The money goes back the way you paid. We are sorry for the inconvenience.',
      ].join('\n'),
    });
  }
  if (!registrant || registrant.email.toLowerCase() !== conference.ownerEmail.toLowerCase()) {
    emails.push({
      triggerId,
      to: conference.ownerEmail,
      subject,
      body: [
        `Hello ${conference.ownerName},`,
        '',
        `a payment for ${conference.name} has been refunded.`,
        '',
        `Order: ${refund.order ? `#${refund.order.accessCode}` : 'none'}`,
        ...(registrant ? [`Registrant: ${fullName(registrant)} (${registrant.email})`] : []),
        `Amount refunded: ${amount}`,
        `Reason: ${because}.`,
      ].join('\n'),
    });
  }
  return emails;
}
