import type { FieldErrors } from '../../shared/field-checks.ts';
import type { Conference, SeatType } from '../records.ts';
import { Alert, ConferenceLayout, CsrfField } from './components.tsx';
import { paths } from './paths.ts';
import { DELETE_CONFIRMATION, type Grid, SeatTypeEditRow, SeatTypeRow, type SeatTypeValues } from './seat-rows.tsx';

/** The row being edited: a seat type's (by id) or a new one's. */
interface Editing {
  id?: string;
  values: SeatTypeValues;
  errors?: FieldErrors;
}

export interface SeatTypesPageProps {
  conference: Conference;
  csrf: string;
  seatTypes: SeatType[];
  editing?: Editing;
  /** The seat type whose deletion is to be confirmed (without JavaScript). */
  confirmDelete?: SeatType;
  message?: string;
}

const ROWS_ID = 'seat-type-rows';

/**
 * Seat types (DOMAIN 6.2): the grid. Without JavaScript, adding, editing and deleting are plain
 * links and forms of this page; with htmx the same controls fetch and post single rows.
 */
export function SeatTypesPage({ conference, csrf, seatTypes, editing, confirmDelete, message }: SeatTypesPageProps) {
  const links = paths.conference(conference.slug);
  const grid: Grid = { links, csrf, canDelete: !conference.wasEverPublished };
  return (
    <ConferenceLayout conference={conference} csrf={csrf} section="seats" heading="Seat types">
      <Alert message={message} />
      {confirmDelete && (
        <section class="confirm" role="alertdialog" aria-label="Delete seat type">
          <p>
            {DELETE_CONFIRMATION} <strong>{confirmDelete.name}</strong>
          </p>
          <form method="post" action={links.deleteSeatType(confirmDelete.id)} class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class="button danger">
              Delete
            </button>
            <a class="button secondary" href={links.seats}>
              Cancel
            </a>
          </form>
        </section>
      )}
      <p class="muted">Click on a seat type name to edit</p>
      {/* htmx sends the CSRF token of the page with every request from the grid. */}
      <table class="seat-grid" hx-headers={JSON.stringify({ 'x-csrf-token': csrf })}>
        <thead>
          <tr>
            <th>Seat type</th>
            <th>Description</th>
            <th class="number">Quota</th>
            <th class="number">Price ($)</th>
            <th>Delete</th>
          </tr>
        </thead>
        <tbody id={ROWS_ID}>
          <tr class="empty">
            <td colspan={5} class="muted">
              No seat types yet.
            </td>
          </tr>
          {seatTypes.map((seatType) =>
            editing?.id === seatType.id ? (
              <SeatTypeEditRow key={seatType.id} seatType={seatType} values={editing.values} errors={editing.errors} grid={grid} />
            ) : (
              <SeatTypeRow key={seatType.id} seatType={seatType} grid={grid} />
            ),
          )}
          {editing && editing.id === undefined && <SeatTypeEditRow values={editing.values} errors={editing.errors} grid={grid} />}
        </tbody>
      </table>
      <a class="button" href={`${links.seats}?add=1`} hx-get={links.newRow} hx-target={`#${ROWS_ID}`} hx-swap="beforeend">
        Add new seat type
      </a>
    </ConferenceLayout>
  );
}
