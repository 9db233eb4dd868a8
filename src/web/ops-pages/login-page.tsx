import { Alert, CsrfField } from '../pages/forms.tsx';
import { OpsLayout } from './layout.tsx';
import { opsPaths } from './paths.ts';

export const TOKEN_WRONG = 'The operator token is wrong.';

/** Log in with the operator token (DOMAIN 7); the token is never shown again. */
export function OpsLoginPage({ csrf, message }: { csrf: string; message?: string }) {
  return (
    <OpsLayout title="Operator log-in">
      <h1>Operator log-in</h1>
      <Alert message={message} />
      <form method="post" action={opsPaths.home} class="form">
        <CsrfField token={csrf} />
        <div class="field">
          <label for="token">Operator token:*</label>
          <input id="token" name="token" type="password" required autocomplete="current-password" />
        </div>
        <div class="form-actions">
          <button type="submit" class="button">
            Log in
          </button>
        </div>
      </form>
    </OpsLayout>
  );
}
