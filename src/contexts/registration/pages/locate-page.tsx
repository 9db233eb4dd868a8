import type { FieldErrors } from '../../shared/field-checks.ts';
import { Alert, CsrfField, Field } from '../../../web/pages/forms.tsx';
import { ConferenceFrame, type ConferenceRef } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

export const LOCATE_FAILED = 'No order was found for this e-mail address and order number.';
export const EMAIL_REQUIRED = 'The Email address field is required.';
export const ORDER_CODE_REQUIRED = 'The Order # field is required.';

export interface LocatePageProps {
  conference: ConferenceRef;
  csrf: string;
  /** The e-mail as typed (kept after a failure); the order code never is. */
  email: string;
  errors?: FieldErrors;
  message?: string;
}

/** Locate registration (DOMAIN 6.1): e-mail and order code (the access code) of an order of this conference. */
export function LocatePage({ conference, csrf, email, errors, message }: LocatePageProps) {
  return (
    <ConferenceFrame conference={conference} title="Locate Registration">
      <h1>Locate Registration</h1>
      <Alert message={message} />
      <form method="post" action={registrationPaths(conference.slug).locate} class="locate" novalidate>
        <CsrfField token={csrf} />
        <Field name="email" label="Email address:*" type="email" value={email} errors={errors} required autocomplete="email" />
        <Field name="accessCode" label="Order #:*" value="" errors={errors} required autocomplete="off" />
        <div class="form-actions">
          <button type="submit" class="button">
            Find
          </button>
        </div>
      </form>
    </ConferenceFrame>
  );
}
