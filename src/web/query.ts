import { validationFailed } from './errors.ts';

/** A comma-separated query parameter (API.md: values OR-ed); blanks dropped; undefined when absent. */
export function commaList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
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
