import { ConferenceFrame, type ConferenceRef } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

/** Thank you (DOMAIN 6.1): the order is confirmed. */
export function ThankYouPage({ conference, orderId, accessCode }: { conference: ConferenceRef; orderId: string; accessCode: string }) {
  const paths = registrationPaths(conference.slug);
  return (
    <ConferenceFrame conference={conference} title="Thank you">
      <h1>Thank you</h1>
      <section class="registration-success">
        <h2>Registration success</h2>
        <p>You have successfully submitted your registration!</p>
        <p>
          You will receive an e-mail with the confirmation for your order #<strong class="access-code">{accessCode}</strong>.
        </p>
        <h3>What's next:</h3>
        <p>
          You can access your order at any time to update or assign attendees using the provided e-mail address and the
          order locator code <strong>{accessCode}</strong>.
        </p>
        <p class="actions">
          <a href={paths.order(orderId)}>Go to my registration</a>
          <a href={paths.conference}>Go to the Conference main page</a>
        </p>
        <p>
          <a class="button" href={paths.seats(orderId)}>
            Proceed to Seat Assignment
          </a>{' '}
          <span class="muted">You can do this later from «Locate Registration»</span>
        </p>
      </section>
    </ConferenceFrame>
  );
}

/** Why a payment's confirmation was rejected (DOMAIN 3.2.2 `OrderConfirmationRejected`). */
const REJECTION_REASONS: Record<string, string> = {
  OrderExpired: 'The order expired before the payment arrived.',
  ReservationNotComplete: 'The order did not hold all of its seats when the payment arrived.',
  AmountMismatch: 'The amount paid does not match the order total.',
};

export const PAYMENT_NOT_APPLIED = 'We could not apply your payment to this order. It will be refunded.';

/** The thank-you page when a payment's confirmation was rejected (DOMAIN 6.1). */
export function PaymentNotAppliedPage({ conference, orderId, reason }: { conference: ConferenceRef; orderId: string; reason: string }) {
  const paths = registrationPaths(conference.slug);
  return (
    <ConferenceFrame conference={conference} title="Payment not applied">
      <h1>Payment not applied</h1>
      <p class="alert" role="alert">
        {PAYMENT_NOT_APPLIED}
      </p>
      <p class="rejection-reason">{REJECTION_REASONS[reason] ?? reason}</p>
      <p class="actions">
        <a href={paths.order(orderId)}>Go to my registration</a>
        <a href={paths.conference}>Go to the Conference main page</a>
      </p>
    </ConferenceFrame>
  );
}
