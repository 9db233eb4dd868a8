import type { FieldErrors } from '../../shared/field-checks.ts';
import { Alert, CsrfField, Field, ManagementLayout, type Visitor } from './components.tsx';
import { paths } from './paths.ts';

export const EMAIL_REQUIRED = 'e-mail field is required.';
export const ACCESS_CODE_REQUIRED = 'Access code is required.';
/** DOMAIN 3.1 "Log in (locate)". */
export const LOCATE_FAILED = 'Could not locate a conference with the provided email and access code.';

interface LoginPageProps {
  visitor: Visitor;
  /** The e-mail as typed; the access code is never shown again. */
  email: string;
  errors?: FieldErrors;
  message?: string;
}

/** Log in (DOMAIN 6.2): owner e-mail and access code. */
export function LoginPage({ visitor, email, errors, message }: LoginPageProps) {
  return (
    <ManagementLayout title="Login" visitor={visitor}>
      <h1>Login</h1>
      <p>Please enter your email and conference access code to manage your conference:</p>
      <Alert message={message} />
      <form method="post" action={paths.login} class="form">
        <CsrfField token={visitor.csrf} />
        <Field name="email" label="Login (E-mail):*" type="email" value={email} errors={errors} autocomplete="username" />
        <Field name="accessCode" label="Access code:*" type="password" value="" errors={errors} autocomplete="current-password" />
        <div class="form-actions">
          <button type="submit" class="button">
            Login
          </button>
          <a href={paths.recover}>Forgot your access code?</a>
        </div>
      </form>
    </ManagementLayout>
  );
}
