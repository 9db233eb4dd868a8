import type { FieldErrors } from '../../shared/field-checks.ts';
import { Alert, CsrfField, Field, ManagementLayout, type Visitor } from './components.tsx';
import { ConferenceFields, type NewConferenceValues } from './conference-form.tsx';
import { paths } from './paths.ts';

interface CreatePageProps {
  visitor: Visitor;
  values: NewConferenceValues;
  errors?: FieldErrors;
  message?: string;
}

/** Create conference (DOMAIN 6.2). */
export function CreatePage({ visitor, values, errors, message }: CreatePageProps) {
  return (
    <ManagementLayout title="Create conference" visitor={visitor}>
      <h1>Create conference</h1>
      <Alert message={message} />
      <form method="post" action={paths.create} class="form">
        <CsrfField token={visitor.csrf} />
        <fieldset>
          <legend>Owner information</legend>
          <Field name="ownerName" label="Name:*" value={values.ownerName} errors={errors} required autocomplete="name" />
          <Field name="ownerEmail" label="Email address:*" type="email" value={values.ownerEmail} errors={errors} required autocomplete="email" />
        </fieldset>
        <ConferenceFields
          values={values}
          errors={errors}
          slug={<Field name="slug" label="Slug/conference code:*" value={values.slug} errors={errors} required />}
        />
        <div class="form-actions">
          <button type="submit" class="button">
            Save conference
          </button>
        </div>
      </form>
    </ManagementLayout>
  );
}
