import type { FieldErrors } from '../../shared/field-checks.ts';
import type { Conference } from '../records.ts';
import { ConferenceLayout, CsrfField, ReadOnlyField } from './components.tsx';
import { ConferenceFields, type DetailValues } from './conference-form.tsx';
import { paths } from './paths.ts';

interface EditPageProps {
  conference: Conference;
  csrf: string;
  values: DetailValues;
  errors?: FieldErrors;
}

/** Edit (DOMAIN 6.2): owner, access code and slug read-only; saving keeps the publication state. */
export function EditPage({ conference, csrf, values, errors }: EditPageProps) {
  const links = paths.conference(conference.slug);
  return (
    <ConferenceLayout conference={conference} csrf={csrf} section="details" heading="Edit conference">
      <form method="post" action={links.edit} class="form">
        <CsrfField token={csrf} />
        <fieldset>
          <legend>Owner information</legend>
          <ReadOnlyField label="Name:" value={conference.ownerName} />
          <ReadOnlyField label="Email address:" value={conference.ownerEmail} />
          <ReadOnlyField label="Access Code:" value={conference.accessCode} />
        </fieldset>
        <ConferenceFields values={values} errors={errors} slug={<ReadOnlyField label="Slug/conference code:" value={conference.slug} />} />
        <div class="form-actions">
          <a class="button secondary" href={links.details}>
            Cancel
          </a>
          <button type="submit" class="button">
            Save
          </button>
        </div>
      </form>
    </ConferenceLayout>
  );
}
