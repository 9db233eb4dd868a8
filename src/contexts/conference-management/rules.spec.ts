import { describe, expect, it } from 'vitest';
import { RESERVED_SLUGS } from '../../web/reserved-slugs.ts';
import {
  END_BEFORE_START,
  SLUG_INVALID,
  SLUG_RESERVED,
  checkConferenceEdit,
  checkNewConference,
  checkNewSeatType,
  checkSeatTypeEdit,
  isCalendarDate,
} from './rules.ts';

const conference = {
  ownerName: 'Ada Owner',
  ownerEmail: 'ada@example.com',
  slug: 'cqrs_2025',
  name: 'CQRS Summit',
  tagline: 'Events all the way down',
  description: 'Two days of talks.',
  location: 'Redmond',
  twitterSearch: '#cqrs',
  startDate: '2025-05-01',
  endDate: '2025-05-02',
};

const errorsOf = (checked: { ok: boolean; errors?: Record<string, string> }) => (checked.ok ? {} : checked.errors);
const x = (n: number) => 'x'.repeat(n);

describe('conference fields (create)', () => {
  it('answers the trimmed values, optional ones null when blank, the hold 15 by default', () => {
    const checked = checkNewConference({ ...conference, name: '  CQRS Summit  ', tagline: '  ', twitterSearch: undefined });
    expect(checked).toEqual({
      ok: true,
      value: { ...conference, tagline: null, twitterSearch: null, reservationHoldMinutes: 15 },
    });
  });

  it('names every missing required field by its visible label', () => {
    expect(errorsOf(checkNewConference({}))).toEqual({
      ownerName: 'The Name field is required.',
      ownerEmail: 'The Email address field is required.',
      slug: 'The Slug/conference code field is required.',
      name: 'The Title field is required.',
      description: 'The Description field is required.',
      location: 'The Location field is required.',
      startDate: 'The Start date field is required.',
      endDate: 'The End date field is required.',
    });
  });

  it('limits the lengths, boundaries included', () => {
    const limits = { ownerName: ['Name', 100], name: ['Title', 100], tagline: ['Tagline', 150], description: ['Description', 4000], location: ['Location', 200], twitterSearch: ['Twitter search', 100] } as const;
    for (const [field, [label, max]] of Object.entries(limits)) {
      expect(checkNewConference({ ...conference, [field]: x(max) }).ok).toBe(true);
      expect(errorsOf(checkNewConference({ ...conference, [field]: x(max + 1) }))).toEqual({ [field]: `The ${label} field must be at most ${max} characters.` });
    }
  });

  it('allows line breaks in the description only', () => {
    expect(checkNewConference({ ...conference, description: 'Day one.\r\n\tDay two.' }).ok).toBe(true);
    expect(errorsOf(checkNewConference({ ...conference, name: 'CQRS\nSummit', location: 'a\u0000b' }))).toEqual({
      name: 'The Title field contains invalid characters.',
      location: 'The Location field contains invalid characters.',
    });
  });

  it('wants a valid owner e-mail', () => {
    expect(errorsOf(checkNewConference({ ...conference, ownerEmail: 'ada@example' }))).toEqual({ ownerEmail: 'The provided email address is not valid.' });
  });

  it('wants a slug of letters, digits and underscores, at most 64', () => {
    for (const slug of ['a', 'A_b_9', x(64)]) expect(checkNewConference({ ...conference, slug }).ok).toBe(true);
    for (const slug of ['cqrs-2025', 'cqrs 2025', 'cqrs.2025', 'café', 'a/b']) {
      expect(errorsOf(checkNewConference({ ...conference, slug }))).toEqual({ slug: SLUG_INVALID });
    }
    expect(errorsOf(checkNewConference({ ...conference, slug: x(65) }))).toEqual({ slug: 'The Slug/conference code field must be at most 64 characters.' });
  });

  it('refuses the reserved slugs in any case', () => {
    expect(RESERVED_SLUGS).toHaveLength(15);
    for (const slug of RESERVED_SLUGS) {
      for (const variant of [slug, slug.toUpperCase(), slug[0].toUpperCase() + slug.slice(1)]) {
        expect(errorsOf(checkNewConference({ ...conference, slug: variant }))).toEqual({ slug: SLUG_RESERVED });
      }
    }
    expect(checkNewConference({ ...conference, slug: 'admins' }).ok).toBe(true);
  });

  it('wants real calendar dates, the end on or after the start', () => {
    expect(checkNewConference({ ...conference, endDate: conference.startDate }).ok).toBe(true);
    expect(errorsOf(checkNewConference({ ...conference, startDate: '2025-05-03' }))).toEqual({ endDate: END_BEFORE_START });
    expect(errorsOf(checkNewConference({ ...conference, startDate: '2025-02-29', endDate: '05/02/2025' }))).toEqual({
      startDate: 'The Start date field must be a date (YYYY-MM-DD).',
      endDate: 'The End date field must be a date (YYYY-MM-DD).',
    });
  });

  it('knows the calendar', () => {
    for (const date of ['2024-02-29', '2000-02-29', '2025-12-31', '2025-04-30', '2025-01-01']) expect(isCalendarDate(date)).toBe(true);
    for (const date of ['2025-02-29', '1900-02-29', '2025-04-31', '2025-13-01', '2025-00-10', '2025-01-00', '2025-1-01', '2025-01-01T00:00:00Z', '']) {
      expect(isCalendarDate(date)).toBe(false);
    }
  });

  it('wants a whole reservation hold of 5 to 60 minutes', () => {
    for (const minutes of [5, 60]) expect(checkNewConference({ ...conference, reservationHoldMinutes: minutes }).ok).toBe(true);
    for (const minutes of [4, 61, -15]) {
      expect(errorsOf(checkNewConference({ ...conference, reservationHoldMinutes: minutes }))).toEqual({
        reservationHoldMinutes: 'The Reservation hold (minutes) field must be between 5 and 60.',
      });
    }
    for (const minutes of [15.5, '15']) {
      expect(errorsOf(checkNewConference({ ...conference, reservationHoldMinutes: minutes }))).toEqual({
        reservationHoldMinutes: 'The Reservation hold (minutes) field must be a whole number.',
      });
    }
  });

  it('names fields of the wrong type', () => {
    expect(errorsOf(checkNewConference({ ...conference, name: 5, slug: ['x'], startDate: 20250501 }))).toEqual({
      name: 'The Title field must be text.',
      slug: 'The Slug/conference code field must be text.',
      startDate: 'The Start date field must be text.',
    });
  });
});

describe('conference fields (edit)', () => {
  const current = { startDate: '2025-05-01', endDate: '2025-05-03' };

  it('judges only the fields in the change', () => {
    expect(checkConferenceEdit({ name: ' New name ' }, current)).toEqual({ ok: true, value: { name: 'New name' } });
    expect(checkConferenceEdit({}, current)).toEqual({ ok: true, value: {} });
    expect(checkConferenceEdit({ tagline: null, twitterSearch: '' }, current)).toEqual({ ok: true, value: { tagline: null, twitterSearch: null } });
    expect(errorsOf(checkConferenceEdit({ name: null, location: '  ', reservationHoldMinutes: 61 }, current))).toEqual({
      name: 'The Title field is required.',
      location: 'The Location field is required.',
      reservationHoldMinutes: 'The Reservation hold (minutes) field must be between 5 and 60.',
    });
  });

  it('keeps the dates in order with the current ones', () => {
    expect(checkConferenceEdit({ endDate: '2025-05-01' }, current).ok).toBe(true);
    expect(errorsOf(checkConferenceEdit({ endDate: '2025-04-30' }, current))).toEqual({ endDate: END_BEFORE_START });
    expect(errorsOf(checkConferenceEdit({ startDate: '2025-05-04' }, current))).toEqual({ startDate: END_BEFORE_START });
    expect(checkConferenceEdit({ startDate: '2025-06-01', endDate: '2025-06-02' }, current).ok).toBe(true);
  });
});

describe('seat type fields', () => {
  const seat = { name: 'General', description: 'Entry to every talk', quantity: 100, price: 19_900 };

  it('answers the trimmed values', () => {
    expect(checkNewSeatType({ ...seat, name: ' General ' })).toEqual({ ok: true, value: seat });
  });

  it('names every missing field', () => {
    expect(errorsOf(checkNewSeatType({}))).toEqual({
      name: 'The Seat type field is required.',
      description: 'The Description field is required.',
      quantity: 'The Quota field is required.',
      price: 'The Price field is required.',
    });
  });

  it('accepts the boundaries and refuses beyond them', () => {
    for (const change of [{ name: 'ab' }, { name: x(70) }, { description: x(250) }, { quantity: 0 }, { quantity: 100_000 }, { price: 0 }, { price: 5_000_000 }]) {
      expect(checkNewSeatType({ ...seat, ...change }).ok).toBe(true);
    }
    expect(errorsOf(checkNewSeatType({ name: 'a', description: x(251), quantity: 100_001, price: 5_000_001 }))).toEqual({
      name: 'The Seat type field must be at least 2 characters.',
      description: 'The Description field must be at most 250 characters.',
      quantity: 'The Quota field must be between 0 and 100000.',
      price: 'The Price field must be between $0.00 and $50,000.00 (0 and 5000000 cents).',
    });
    expect(errorsOf(checkNewSeatType({ ...seat, name: x(71), quantity: -1, price: -1 }))).toEqual({
      name: 'The Seat type field must be at most 70 characters.',
      quantity: 'The Quota field must be between 0 and 100000.',
      price: 'The Price field must be between $0.00 and $50,000.00 (0 and 5000000 cents).',
    });
    expect(errorsOf(checkNewSeatType({ ...seat, price: 199.5 }))).toEqual({ price: 'The Price field must be a whole number.' });
  });

  it('judges only the fields in a change', () => {
    expect(checkSeatTypeEdit({ quantity: 5 })).toEqual({ ok: true, value: { quantity: 5 } });
    expect(errorsOf(checkSeatTypeEdit({ name: 'a' }))).toEqual({ name: 'The Seat type field must be at least 2 characters.' });
  });
});
