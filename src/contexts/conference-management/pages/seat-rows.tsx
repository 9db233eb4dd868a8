import { newId } from '../../../platform/messages/ids.ts';
import { formatMoney } from '../../../web/pages/format.ts';
import type { FieldErrors } from '../../shared/field-checks.ts';
import type { SeatType } from '../records.ts';
import { type Input, SEAT_PRICE, SEAT_QUANTITY, type SeatTypeDetails } from '../rules.ts';
import { CsrfField, FieldError } from './components.tsx';
import { dollarsText, notAnAmount, parseDollars, wholeNumberInput } from './forms.ts';
import type { ConferencePaths } from './paths.ts';

/**
 * The rows of the seat-type grid (DOMAIN 6.2). Each row works as a plain form without JavaScript
 * and, with htmx, swaps itself for the row the fragment routes answer (`hx-target="closest tr"`).
 */

export const DELETE_CONFIRMATION = 'Are you sure you want to delete?';
const CANNOT_DELETE_TOOLTIP = 'The conference has been published at least once before. Cannot delete seat types.';

export const SEAT_TYPE_FIELDS = ['name', 'description', 'quantity', 'price'] as const;
/** A seat type's fields as typed: the quota as digits, the price in dollars. */
export type SeatTypeValues = Record<(typeof SEAT_TYPE_FIELDS)[number], string>;
export const EMPTY_SEAT_TYPE: SeatTypeValues = { name: '', description: '', quantity: '', price: '' };

export function seatTypeValues(seatType: SeatType): SeatTypeValues {
  return { name: seatType.name, description: seatType.description, quantity: String(seatType.quantity), price: dollarsText(seatType.price) };
}

/** What the rules judge, and the errors of texts that are not an amount (the price in dollars becomes cents). */
export function seatTypeInput(values: SeatTypeValues): { input: Input<SeatTypeDetails>; errors: FieldErrors } {
  const blankPrice = values.price.trim() === '';
  const price = blankPrice ? undefined : parseDollars(values.price);
  return {
    input: { name: values.name, description: values.description, quantity: wholeNumberInput(values.quantity), price },
    errors: blankPrice || price !== undefined ? {} : { price: notAnAmount('Price') },
  };
}

/** What every row needs: the conference's addresses, the CSRF token, and whether deleting is allowed. */
export interface Grid {
  links: ConferencePaths;
  csrf: string;
  /** Only a conference that was never published may lose seat types. */
  canDelete: boolean;
}

/** Swap the row the request came from for the answer. */
const swapRow = { 'hx-target': 'closest tr', 'hx-swap': 'outerHTML' };

function DeleteControl({ seatType, grid }: { seatType: SeatType; grid: Grid }) {
  if (!grid.canDelete) {
    return (
      <span title={CANNOT_DELETE_TOOLTIP}>
        <button type="button" class="button" disabled title={CANNOT_DELETE_TOOLTIP}>
          Delete
        </button>
      </span>
    );
  }
  return (
    <a class="button danger" href={`${grid.links.seats}?delete=${seatType.id}`} hx-post={grid.links.deleteRow(seatType.id)} hx-confirm={DELETE_CONFIRMATION} {...swapRow}>
      Delete
    </a>
  );
}

/** A seat type as shown: its name opens the row for editing. */
export function SeatTypeRow({ seatType, grid, message }: { seatType: SeatType; grid: Grid; message?: string }) {
  return (
    <tr id={`seat-type-${seatType.id}`}>
      <td>
        <a href={`${grid.links.seats}?edit=${seatType.id}`} hx-get={grid.links.editRow(seatType.id)} {...swapRow}>
          {seatType.name}
        </a>
      </td>
      <td>{seatType.description}</td>
      <td class="number">{seatType.quantity}</td>
      <td class="number">{formatMoney(seatType.price)}</td>
      <td>
        <DeleteControl seatType={seatType} grid={grid} />
        <FieldError message={message} />
      </td>
    </tr>
  );
}

interface SeatTypeEditRowProps {
  /** The seat type being changed; none for a new one. */
  seatType?: SeatType;
  values: SeatTypeValues;
  errors?: FieldErrors;
  grid: Grid;
}

/**
 * A row of inputs: its form sits in the last cell and the inputs of the other cells belong to it
 * through their `form` attribute. Create/Save posts the row, Cancel brings back what was there.
 */
export function SeatTypeEditRow({ seatType, values, errors, grid }: SeatTypeEditRowProps) {
  const { links } = grid;
  const formId = `seat-type-form-${seatType?.id ?? newId()}`;
  const input = (name: keyof SeatTypeValues, label: string, more: Record<string, unknown> = {}) => (
    <td>
      <input name={name} form={formId} value={values[name]} aria-label={label} aria-invalid={errors?.[name] ? 'true' : undefined} required {...more} />
      <FieldError message={errors?.[name]} />
    </td>
  );
  return (
    <tr class="editing" id={seatType && `seat-type-${seatType.id}`}>
      {input('name', 'Seat type')}
      {input('description', 'Description')}
      {input('quantity', 'Quota', { type: 'number', min: SEAT_QUANTITY.min, max: SEAT_QUANTITY.max, class: 'number' })}
      {input('price', 'Price', { inputmode: 'decimal', class: 'number', placeholder: dollarsText(SEAT_PRICE.min) })}
      <td>
        <form
          id={formId}
          method="post"
          action={seatType ? links.seatType(seatType.id) : links.seats}
          hx-post={seatType ? links.row(seatType.id) : links.rows}
          {...swapRow}
        >
          <CsrfField token={grid.csrf} />
          <button type="submit" class="button">
            {seatType ? 'Save' : 'Create'}
          </button>
          <a class="button secondary" href={links.seats} hx-get={seatType ? links.row(seatType.id) : links.noRow} {...swapRow}>
            Cancel
          </a>
        </form>
      </td>
    </tr>
  );
}
