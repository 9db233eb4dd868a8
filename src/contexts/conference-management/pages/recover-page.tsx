import type { FieldErrors } from '../../shared/field-checks.ts';
import { Alert, CsrfField, Field, ManagementLayout, type Visitor } from './components.tsx';
import { paths } from './paths.ts';

/** The only answer to a recovery request, whether conferences exist for the address or not. */
export const RECOVERY_ANSWER = 'If conferences exist for this address, we have e-mailed their access codes.';

interface RecoverPageProps {
  visitor: Visitor;
  email: string;
  errors?: FieldErrors;
  /** The answer after a request, or the refusal of one. */
  notice?: string;
  message?: string;
}

/** Recover access code (DOMAIN 6.2): the codes go to the owner's mailbox, never to the page. */
export function RecoverPage({ visitor, email, errors, notice, message }: RecoverPageProps) {
  return (
    <ManagementLayout title="Recover access code" visitor={visitor}>
      <h1>Recover access code</h1>
      <p>Enter the e-mail address you created your conferences with. We will e-mail you their access codes.</p>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <Alert message={message} />
      <form method="post" action={paths.recover} class="form">
        <CsrfField token={visitor.csrf} />
        <Field name="email" label="Email address:*" type="email" value={email} errors={errors} autocomplete="email" />
        <div class="form-actions">
          <button type="submit" class="button">
            Send access codes
          </button>
          <a href={paths.login}>Back to log in</a>
        </div>
      </form>
    </ManagementLayout>
  );
}
