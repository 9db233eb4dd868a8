import { CsrfField } from '../../../web/pages/forms.tsx';
import { formatMoney } from '../../../web/pages/format.ts';
import { type CountdownProps, ConferenceFrame, type ConferenceRef, CountdownBox } from './order-components.tsx';
import { registrationPaths } from './paths.ts';

/** DOMAIN 3.5 `maxSeatsPerSeatTypePerOrder`. */
export const MAX_SEATS_PER_TYPE = 20;

export const SHORTFALL_TEXT = 'Could not reserve all the requested seats. The seat quantity is set to the available seats.';
export const PAYMENT_IN_PROGRESS = 'A payment for this order is in progress.';
export const REGISTRATION_CLOSED = 'Registration for this conference is closed.';

/** One row of the seat selection. */
export interface SeatChoice {
  seatTypeId: string;
  name: string;
  description: string;
  /** Cents. */
  price: number;
  /** max(AvailableQuantity, 0), plus what the order being changed holds of it. */
  available: number;
  /** The quantity the selector shows. */
  selected: number;
  /** The order asked for more of it than it got (DOMAIN 6.1: highlighted, with {@link SHORTFALL_TEXT}). */
  shortfall: boolean;
}

export interface SeatSelectionProps {
  conference: ConferenceRef;
  csrf: string;
  /** The order being placed (a new id on a first visit) or changed. */
  orderId: string;
  /** The Order stream version last seen (−1 for a new order): checkout waits until it has moved on. */
  orderVersion: number;
  choices: SeatChoice[];
  /** Validation messages of the form (DOMAIN 3.2.1), or a refusal. */
  errors?: string[];
  /** Changes are not accepted (payment in progress, registration closed): the form is read-only. */
  locked?: boolean;
  /** Shown for an existing order. */
  countdown?: CountdownProps;
}

/** The form field holding a seat type's quantity. */
export const quantityField = (seatTypeId: string) => `quantity-${seatTypeId}`;

/** Most seats of a type one order may take. */
const maxChoice = (choice: SeatChoice) => Math.min(Math.max(choice.available, 0), MAX_SEATS_PER_TYPE);

/**
 * Seat selection (DOMAIN 6.1). The estimated total is computed here from the selected quantities
 * and recomputed in the browser by `assets/seat-selection.js` as the selectors change.
 */
export function SeatSelectionPage({ conference, csrf, orderId, orderVersion, choices, errors = [], locked = false, countdown }: SeatSelectionProps) {
  const paths = registrationPaths(conference.slug);
  const estimated = choices.reduce((sum, choice) => sum + choice.price * Math.min(choice.selected, maxChoice(choice)), 0);
  return (
    <ConferenceFrame conference={conference} title="Register">
      <h1>Register</h1>
      <p>Please make your selection.</p>
      {errors.length > 0 && (
        <ul class="alert validation-summary" role="alert">
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
      {countdown && <CountdownBox {...countdown} />}
      <form method="post" action={paths.register} class="seat-selection">
        <CsrfField token={csrf} />
        <input type="hidden" name="orderId" value={orderId} />
        <input type="hidden" name="orderVersion" value={String(orderVersion)} />
        <h2>Event tickets</h2>
        <table class="seat-choices">
          <thead>
            <tr>
              <th>Registration type</th>
              <th class="number">Price</th>
              <th class="number">Available</th>
              <th class="number">Quantity</th>
            </tr>
          </thead>
          {choices.map((choice) => (
            <SeatChoiceRows key={choice.seatTypeId} choice={choice} locked={locked} />
          ))}
        </table>
        <p class="estimated-total">
          Estimated Total: <output>{formatMoney(estimated)}</output>
        </p>
        <div class="form-actions">
          <a class="button secondary" href={paths.conference}>
            Back
          </a>
          {!locked && (
            <button type="submit" class="button">
              Order now
            </button>
          )}
        </div>
      </form>
      <script src="/assets/seat-selection.js" defer />
    </ConferenceFrame>
  );
}

function SeatChoiceRows({ choice, locked }: { choice: SeatChoice; locked: boolean }) {
  const max = maxChoice(choice);
  const name = quantityField(choice.seatTypeId);
  const selected = Math.min(choice.selected, max);
  return (
    <tbody class={choice.shortfall ? 'shortfall' : undefined}>
      <tr>
        <td>
          <label for={name}>{choice.name}</label>
          <br />
          <span class="muted">{choice.description}</span>
        </td>
        <td class="number">{formatMoney(choice.price)}</td>
        <td class="number">{Math.max(choice.available, 0)}</td>
        <td class="number">
          {max === 0 ? (
            <>
              Sold out
              <input type="hidden" name={name} value="0" />
            </>
          ) : (
            <select id={name} name={name} data-price={String(choice.price)} disabled={locked}>
              {Array.from({ length: max + 1 }, (_, quantity) => (
                <option key={quantity} value={String(quantity)} selected={quantity === selected}>
                  {quantity}
                </option>
              ))}
            </select>
          )}
        </td>
      </tr>
      {choice.shortfall && (
        <tr class="shortfall-note">
          <td colSpan={4}>{SHORTFALL_TEXT}</td>
        </tr>
      )}
    </tbody>
  );
}
