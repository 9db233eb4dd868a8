/** Form pieces every site uses. */

import type { FieldErrors } from '../../contexts/shared/field-checks.ts';

/** The CSRF token a form carries (`web/sessions.ts`). */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A form whose only control is one button (log out, publish…). */
export function PostButton({ action, csrf, label, class: className }: { action: string; csrf: string; label: string; class?: string }) {
  return (
    <form method="post" action={action} class={className ?? 'inline'}>
      <CsrfField token={csrf} />
      <button type="submit" class="button">
        {label}
      </button>
    </form>
  );
}

/** A message about the whole form or page, e.g. a failed log-in. */
export function Alert({ message }: { message?: string }) {
  return message ? (
    <p class="alert" role="alert">
      {message}
    </p>
  ) : null;
}

export function FieldError({ message }: { message?: string }) {
  return message ? <span class="field-error">{message}</span> : null;
}

interface FieldProps {
  name: string;
  label: string;
  value: string;
  errors?: FieldErrors;
  type?: 'text' | 'email' | 'password' | 'date' | 'number';
  required?: boolean;
  multiline?: boolean;
  autocomplete?: string;
  min?: number;
  max?: number;
}

/** A labelled input (or text area) with its error beside it; the value is shown as typed. */
export function Field({ name, label, value, errors, type = 'text', required, multiline, autocomplete, min, max }: FieldProps) {
  const error = errors?.[name];
  const common = { id: name, name, required, 'aria-invalid': error ? ('true' as const) : undefined };
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={name}>{label}</label>
      {multiline ? (
        <textarea {...common} rows={6}>
          {value}
        </textarea>
      ) : (
        <input {...common} type={type} value={value} autocomplete={autocomplete} min={min} max={max} />
      )}
      <FieldError message={error} />
    </div>
  );
}
