/** Field errors keyed by the API's field names (API.md `fields`), each with the message to show. */
export type FieldErrors = Record<string, string>;

/** The outcome of checking one field: its clean value, or the message saying what is wrong. */
export type FieldCheck<T> = { value: T } | { error: string };

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Input that breaks field rules: nothing was stored. */
export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  constructor(readonly fields: FieldErrors) {
    super(`Invalid ${Object.keys(fields).join(', ')}`);
  }
}

/** The clean values of every field, or the errors of every bad one. */
export function collect<T extends object>(checks: { [K in keyof T]: FieldCheck<T[K]> }): Checked<T> {
  const value: Partial<T> = {};
  const errors: FieldErrors = {};
  for (const key of Object.keys(checks) as (keyof T & string)[]) {
    const check = checks[key];
    if ('error' in check) errors[key] = check.error;
    else value[key] = check.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value: value as T };
}

/** The value of a check, or throws {@link ValidationError}. */
export function valid<T>(checked: Checked<T>): T {
  if (!checked.ok) throw new ValidationError(checked.errors);
  return checked.value;
}
