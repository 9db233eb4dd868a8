import { isReservedSlug } from '../../web/reserved-slugs.ts';
import { type Checked, type FieldCheck, type FieldErrors, collect } from '../shared/field-checks.ts';
import { checkEmail, checkRequiredText, checkText, present, required, tooLong } from '../shared/text-rules.ts';

/** Conference and seat-type field rules and the context's refusals (DOMAIN 3.1), as pure functions. */

export const SLUG_INVALID = 'The slug can only contain alphanumeric characters and underscores.';
export const SLUG_RESERVED = 'This slug is reserved.';
export const SLUG_TAKEN = 'The chosen conference slug is already taken.';
export const END_BEFORE_START = 'The end date must be on or after the start date.';
export const NO_SEAT_TYPES = 'Add at least one seat type before publishing.';
export const CANNOT_DELETE_SEAT_TYPE = "Can't delete seats from a conference that has been published at least once.";
export const quotaBelowSold = (sold: number) => `The quota cannot be lower than the ${sold} seats already sold.`;

export const SLUG_MAX = 64;
const SLUG_CHARACTERS = /^[A-Za-z0-9_]+$/;

export const HOLD_MINUTES = { min: 5, max: 60, default: 15 } as const;
export const SEAT_QUANTITY = { min: 0, max: 100_000 } as const;
/** Cents: $0 to $50,000. */
export const SEAT_PRICE = { min: 0, max: 5_000_000 } as const;

/** The visible labels (DOMAIN 6.2) that messages name, and the limits, by API field name. */
export const CONFERENCE_TEXT = {
  ownerName: { label: 'Name', max: 100 },
  name: { label: 'Title', max: 100 },
  tagline: { label: 'Tagline', max: 150 },
  description: { label: 'Description', max: 4000, multiline: true },
  location: { label: 'Location', max: 200 },
  twitterSearch: { label: 'Twitter search', max: 100 },
} as const;
export const SEAT_TYPE_TEXT = {
  name: { label: 'Seat type', min: 2, max: 70 },
  description: { label: 'Description', max: 250 },
} as const;
const LABELS = {
  ownerEmail: 'Email address',
  slug: 'Slug/conference code',
  startDate: 'Start date',
  endDate: 'End date',
  reservationHoldMinutes: 'Reservation hold (minutes)',
  quantity: 'Quota',
  price: 'Price',
} as const;

/** The fields an owner may change after creation. */
export interface ConferenceDetails {
  name: string;
  tagline: string | null;
  description: string;
  location: string;
  twitterSearch: string | null;
  /** `YYYY-MM-DD` */
  startDate: string;
  endDate: string;
  reservationHoldMinutes: number;
}

export interface NewConference extends ConferenceDetails {
  ownerName: string;
  ownerEmail: string;
  slug: string;
}

export interface SeatTypeDetails {
  name: string;
  description: string;
  quantity: number;
  /** Cents. */
  price: number;
}

/** Input as received: any field may be missing or of the wrong type. */
export type Input<T> = { [K in keyof T]?: unknown };

export function isSlug(value: string): boolean {
  return SLUG_CHARACTERS.test(value) && value.length <= SLUG_MAX;
}

/** A real calendar date written `YYYY-MM-DD`. */
export function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = match.slice(1).map(Number);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysIn(year, month);
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

type Checks<T> = { [K in keyof T]: (input: unknown) => FieldCheck<T[K]> };

function checkSlug(input: unknown): FieldCheck<string> {
  const slug = present(input, LABELS.slug);
  if ('error' in slug) return slug;
  if (!SLUG_CHARACTERS.test(slug.value)) return { error: SLUG_INVALID };
  if (slug.value.length > SLUG_MAX) return { error: tooLong(LABELS.slug, SLUG_MAX) };
  if (isReservedSlug(slug.value)) return { error: SLUG_RESERVED };
  return slug;
}

function checkDate(input: unknown, label: string): FieldCheck<string> {
  const date = present(input, label);
  if ('error' in date) return date;
  return isCalendarDate(date.value) ? date : { error: `The ${label} field must be a date (YYYY-MM-DD).` };
}

interface WholeNumberRule {
  label: string;
  min: number;
  max: number;
  /** Used when the value is missing; without it the field is required. */
  default?: number;
  /** How the range reads in the message, when not "<min> and <max>". */
  range?: string;
}

function checkWholeNumber(input: unknown, rule: WholeNumberRule): FieldCheck<number> {
  if (input === undefined || input === null) return rule.default === undefined ? { error: required(rule.label) } : { value: rule.default };
  if (typeof input !== 'number' || !Number.isSafeInteger(input)) return { error: `The ${rule.label} field must be a whole number.` };
  if (input < rule.min || input > rule.max) {
    return { error: `The ${rule.label} field must be between ${rule.range ?? `${rule.min} and ${rule.max}`}.` };
  }
  return { value: input };
}

const detailChecks: Checks<ConferenceDetails> = {
  name: (input) => checkRequiredText(input, CONFERENCE_TEXT.name),
  tagline: (input) => checkText(input, { ...CONFERENCE_TEXT.tagline, required: false }),
  description: (input) => checkRequiredText(input, CONFERENCE_TEXT.description),
  location: (input) => checkRequiredText(input, CONFERENCE_TEXT.location),
  twitterSearch: (input) => checkText(input, { ...CONFERENCE_TEXT.twitterSearch, required: false }),
  startDate: (input) => checkDate(input, LABELS.startDate),
  endDate: (input) => checkDate(input, LABELS.endDate),
  reservationHoldMinutes: (input) => checkWholeNumber(input, { label: LABELS.reservationHoldMinutes, ...HOLD_MINUTES }),
};

const conferenceChecks: Checks<NewConference> = {
  ownerName: (input) => checkRequiredText(input, CONFERENCE_TEXT.ownerName),
  ownerEmail: (input) => checkEmail(input, LABELS.ownerEmail),
  slug: checkSlug,
  ...detailChecks,
};

const seatTypeChecks: Checks<SeatTypeDetails> = {
  name: (input) => checkRequiredText(input, SEAT_TYPE_TEXT.name),
  description: (input) => checkRequiredText(input, SEAT_TYPE_TEXT.description),
  quantity: (input) => checkWholeNumber(input, { label: LABELS.quantity, ...SEAT_QUANTITY }),
  price: (input) => checkWholeNumber(input, { label: LABELS.price, ...SEAT_PRICE, range: '$0.00 and $50,000.00 (0 and 5000000 cents)' }),
};


/** Every field of `T`, each checked. */
function checkAll<T extends object>(checks: Checks<T>, input: Input<T>): Checked<T> {
  const results = {} as { [K in keyof T]: FieldCheck<T[K]> };
  for (const key of Object.keys(checks) as (keyof T)[]) results[key] = checks[key](input[key]);
  return collect<T>(results);
}

/** Only the fields present in a partial change, each checked. */
function checkPresent<T extends object>(checks: Checks<T>, input: Input<T>): Checked<Partial<T>> {
  const results = {} as { [K in keyof T]?: FieldCheck<T[K]> };
  for (const key of Object.keys(checks) as (keyof T)[]) {
    if (input[key] !== undefined) results[key] = checks[key](input[key]);
  }
  return collect<Partial<T>>(results as { [K in keyof T]: FieldCheck<T[K]> });
}

/** A date order error on `field` when both dates are known and the end comes first. */
function datesOutOfOrder(startDate: string, endDate: string, field: 'startDate' | 'endDate'): FieldErrors | undefined {
  return endDate < startDate ? { [field]: END_BEFORE_START } : undefined;
}

function refuse(errors: FieldErrors): { ok: false; errors: FieldErrors } {
  return { ok: false, errors };
}

/** Create conference: every field (hold defaults to 15). */
export function checkNewConference(input: Input<NewConference>): Checked<NewConference> {
  const checked = checkAll(conferenceChecks, input);
  if (!checked.ok) return checked;
  const order = datesOutOfOrder(checked.value.startDate, checked.value.endDate, 'endDate');
  return order ? refuse(order) : checked;
}

/**
 * Edit conference: the editable fields present in the change; the dates are checked in order
 * against the current ones. Fields not in the change are not judged again.
 */
export function checkConferenceEdit(
  change: Input<ConferenceDetails>,
  current: Pick<ConferenceDetails, 'startDate' | 'endDate'>,
): Checked<Partial<ConferenceDetails>> {
  const checked = checkPresent<ConferenceDetails>(detailChecks, change);
  if (!checked.ok) return checked;
  const { startDate = current.startDate, endDate = current.endDate } = checked.value;
  if (checked.value.startDate === undefined && checked.value.endDate === undefined) return checked;
  const order = datesOutOfOrder(startDate, endDate, checked.value.endDate !== undefined ? 'endDate' : 'startDate');
  return order ? refuse(order) : checked;
}

export function checkNewSeatType(input: Input<SeatTypeDetails>): Checked<SeatTypeDetails> {
  return checkAll(seatTypeChecks, input);
}

/** Edit seat type: the fields present in the change. */
export function checkSeatTypeEdit(change: Input<SeatTypeDetails>): Checked<Partial<SeatTypeDetails>> {
  return checkPresent(seatTypeChecks, change);
}
