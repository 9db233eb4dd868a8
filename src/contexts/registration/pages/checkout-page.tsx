import type { FieldErrors } from '../../shared/field-checks.ts';
import { Alert, CsrfField, Field } from '../../../web/pages/forms.tsx';
import { type CountdownProps, ConferenceFrame, type ConferenceRef, CountdownBox, type SeatLine, SeatLines } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

export const EMAILS_DO_NOT_MATCH = 'E-Mail addresses do not match.';
export const CONFIRM_EMAIL_REQUIRED = 'Please confirm the e-mail address.';
export const PAYMENT_NOT_COMPLETED = 'Your payment was not completed. You can try again before the reservation expires.';

/** The registrant form's fields as typed. */
export const REGISTRANT_FIELDS = ['firstName', 'lastName', 'email', 'confirmEmail'] as const;
export type RegistrantValues = Record<(typeof REGISTRANT_FIELDS)[number], string>;

export interface CheckoutPageProps {
  conference: ConferenceRef;
  csrf: string;
  orderId: string;
  lines: SeatLine[];
  total: number;
  isFreeOfCharge: boolean;
  values: RegistrantValues;
  errors?: FieldErrors;
  /** A refusal of the whole form. */
  message?: string;
  /** The latest payment was rejected (DOMAIN 6.1: the order stays payable until it expires). */
  paymentRejected: boolean;
  countdown: CountdownProps;
}

/**
 * Checkout (DOMAIN 6.1): the seats obtained, the registrant, and for a paid order the payment method.
 * `assets/checkout.js` checks the confirmation e-mail in the browser; the server checks it again.
 */
export function CheckoutPage(props: CheckoutPageProps) {
  const { conference, csrf, orderId, lines, total, isFreeOfCharge, values, errors, message, paymentRejected, countdown } = props;
  const paths = registrationPaths(conference.slug);
  return (
    <ConferenceFrame conference={conference} title="Registrant details">
      <h1>Registrant details</h1>
      {paymentRejected && (
        <p class="notice" role="status">
          {PAYMENT_NOT_COMPLETED}
        </p>
      )}
      <Alert message={message} />
      <CountdownBox {...countdown} />
      <h2>Seats information</h2>
      <SeatLines lines={lines} total={total} />
      <form method="post" action={paths.checkout(orderId)} class="registrant">
        <CsrfField token={csrf} />
        <h2>Registrant</h2>
        <Field name="firstName" label="First Name:*" value={values.firstName} errors={errors} required autocomplete="given-name" />
        <Field name="lastName" label="Last Name:*" value={values.lastName} errors={errors} required autocomplete="family-name" />
        <Field name="email" label="Email address:*" type="email" value={values.email} errors={errors} required autocomplete="email" />
        <Field name="confirmEmail" label="Confirm e-mail:*" type="email" value={values.confirmEmail} errors={errors} required autocomplete="email" />
        {!isFreeOfCharge && (
          <fieldset class="billing">
            <legend>Billing information</legend>
            <p class="label">Payment method:*</p>
            <label>
              <input type="radio" name="paymentMethod" value="card" checked /> Credit card
            </label>
            <label>
              <input type="radio" name="paymentMethod" value="invoice" disabled /> Invoice me
            </label>
          </fieldset>
        )}
        <div class="form-actions">
          <a class="button secondary" href={paths.changeSeats(orderId)}>
            Back
          </a>
          <button type="submit" class="button proceed">
            Proceed
            {!isFreeOfCharge && <small class="caption">Proceed to Third Party</small>}
          </button>
        </div>
      </form>
      <script src="/assets/checkout.js" defer />
    </ConferenceFrame>
  );
}
