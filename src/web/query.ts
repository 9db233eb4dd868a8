import { Type } from 'typebox';
import { validationFailed } from './errors.ts';

/** The schema of an optional comma-separated query parameter. */
export const commaListParam = (description: string) =>
  Type.Optional(Type.String({ maxLength: 4096, description: `${description}; comma-separated, OR-ed` }));

/** A comma-separated query parameter (API.md: values OR-ed); blanks dropped; undefined when absent. */
export function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A comma-separated query parameter whose values must be among `choices` (else 400 naming `field`). */
export function commaChoices<T extends string>(field: string, value: string | undefined, choices: readonly T[]): T[] | undefined {
  const values = commaList(value);
  if (values?.some((item) => !(choices as readonly string[]).includes(item))) throw validationFailed({ [field]: `must be ${choices.join(', ')}` });
  return values as T[] | undefined;
}

/**
 * An ISO-8601 instant as stored (`Date.toISOString()`), so that text comparison orders by time.
 * Stored times have millisecond precision: a finer bound is rounded up, which keeps both `>=` and `<`
 * comparisons exact.
 */
export function storedInstant(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw validationFailed({ [field]: 'must be an ISO-8601 date and time with a time zone' });
  const finer = /\.\d{3}(\d+)/.exec(value)?.[1];
  return new Date(time + (finer && /[1-9]/.test(finer) ? 1 : 0)).toISOString();
}
