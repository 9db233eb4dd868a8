import { Alert, CsrfField, FieldError } from '../../../web/pages/forms.tsx';
import { ConferenceFrame, type ConferenceRef } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

/** A purchased seat as the form shows it: the attendee as stored, or as typed when shown again. */
export interface SeatRow {
  position: number;
  seatTypeName: string;
  firstName: string;
  lastName: string;
  email: string;
  /** Messages per field name (`firstName`, `lastName`, `email`). */
  errors?: Record<string, string>;
}

export const ATTENDEE_FIELDS = ['firstName', 'lastName', 'email'] as const;
export type AttendeeField = (typeof ATTENDEE_FIELDS)[number];

/** The form field of one seat's attendee field: `firstName-3`. */
export const seatField = (field: AttendeeField, position: number) => `${field}-${position}`;

const COLUMNS: Array<[AttendeeField, string, string]> = [
  ['firstName', 'First name', 'text'],
  ['lastName', 'Last name', 'text'],
  ['email', 'Email', 'email'],
];

/** Assign seats (DOMAIN 6.1): one row per purchased seat. */
export function AssignSeatsPage({ conference, csrf, orderId, rows, message }: { conference: ConferenceRef; csrf: string; orderId: string; rows: SeatRow[]; message?: string }) {
  const paths = registrationPaths(conference.slug);
  return (
    <ConferenceFrame conference={conference} title="Assign Seats">
      <h1>Assign Seats</h1>
      <p>Please assign your purchased seats to the attendees.</p>
      <Alert message={message} />
      <form method="post" action={paths.seats(orderId)} class="assign-seats" novalidate>
        <CsrfField token={csrf} />
        <table>
          <thead>
            <tr>
              <th>Seat type</th>
              {COLUMNS.map(([, label]) => (
                <th key={label}>{label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.position} class={row.errors ? 'invalid' : undefined}>
                <td>{row.seatTypeName}</td>
                {COLUMNS.map(([field, label, type]) => {
                  const error = row.errors?.[field];
                  return (
                    <td key={field}>
                      <input
                        type={type}
                        name={seatField(field, row.position)}
                        value={row[field]}
                        aria-label={`${label} (seat ${row.position + 1})`}
                        aria-invalid={error ? 'true' : undefined}
                      />
                      <FieldError message={error} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        <div class="form-actions">
          <a class="button secondary" href={paths.order(orderId)}>
            Back
          </a>
          <button type="submit" class="button">
            Save
          </button>
          <span class="muted">Attendees will be notified by e-mail</span>
        </div>
      </form>
    </ConferenceFrame>
  );
}
