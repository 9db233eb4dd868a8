import type { ComponentChildren } from 'preact';
import type { FieldErrors } from '../../shared/field-checks.ts';
import type { Conference } from '../records.ts';
import { type ConferenceDetails, HOLD_MINUTES, type Input, type NewConference } from '../rules.ts';
import { Field } from './components.tsx';
import { wholeNumberInput } from './forms.ts';

/** The conference's editable fields, as the create and edit forms name them (the API's names). */
export const DETAIL_FIELDS = ['name', 'tagline', 'location', 'twitterSearch', 'description', 'startDate', 'endDate', 'reservationHoldMinutes'] as const;
export const NEW_CONFERENCE_FIELDS = ['ownerName', 'ownerEmail', 'slug', ...DETAIL_FIELDS] as const;

/** Form values as typed. */
export type DetailValues = Record<(typeof DETAIL_FIELDS)[number], string>;
export type NewConferenceValues = Record<(typeof NEW_CONFERENCE_FIELDS)[number], string>;

export const EMPTY_NEW_CONFERENCE: NewConferenceValues = {
  ...(Object.fromEntries(NEW_CONFERENCE_FIELDS.map((field) => [field, ''])) as NewConferenceValues),
  reservationHoldMinutes: String(HOLD_MINUTES.default),
};

/** A stored conference's details, to edit. */
export function detailValues(conference: Conference): DetailValues {
  return {
    name: conference.name,
    tagline: conference.tagline ?? '',
    location: conference.location,
    twitterSearch: conference.twitterSearch ?? '',
    description: conference.description,
    startDate: conference.startDate,
    endDate: conference.endDate,
    reservationHoldMinutes: String(conference.reservationHoldMinutes),
  };
}

/** What the rules judge: texts as typed, the hold as a number when it is one (blank: the default). */
export function detailInput(values: DetailValues): Input<ConferenceDetails> {
  return { ...values, reservationHoldMinutes: wholeNumberInput(values.reservationHoldMinutes) ?? HOLD_MINUTES.default };
}

export function newConferenceInput(values: NewConferenceValues): Input<NewConference> {
  return { ...values, ...detailInput(values) };
}

/**
 * Section "Conference information" of the create and edit forms (DOMAIN 6.2), with the slug in its
 * place: an input when creating, read-only when editing.
 */
export function ConferenceFields({ values, errors, slug }: { values: DetailValues; errors?: FieldErrors; slug: ComponentChildren }) {
  return (
    <fieldset>
      <legend>Conference information</legend>
      <Field name="name" label="Title:*" value={values.name} errors={errors} required />
      <Field name="tagline" label="Tagline:" value={values.tagline} errors={errors} />
      {slug}
      <Field name="location" label="Location:*" value={values.location} errors={errors} required />
      <Field name="twitterSearch" label="Twitter search:" value={values.twitterSearch} errors={errors} />
      <Field name="description" label="Description:*" value={values.description} errors={errors} required multiline />
      <Field name="startDate" label="Start date:*" type="date" value={values.startDate} errors={errors} required />
      <Field name="endDate" label="End date:*" type="date" value={values.endDate} errors={errors} required />
      <Field
        name="reservationHoldMinutes"
        label="Reservation hold (minutes):"
        type="number"
        min={HOLD_MINUTES.min}
        max={HOLD_MINUTES.max}
        value={values.reservationHoldMinutes}
        errors={errors}
      />
    </fieldset>
  );
}
