/**
 * Reading the management site's forms: every value arrives as text and is given back as typed when
 * the form is shown again; numbers and amounts are converted before the context's rules judge them.
 */

export { formText, formTexts } from '../../../web/pages/form-values.ts';

/**
 * A whole number as typed: blank is missing (the rule's default, or "required"), digits are the
 * number, anything else is passed on as text so that the rule says it is not a whole number.
 */
export function wholeNumberInput(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  return /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export const notAnAmount = (label: string) => `The ${label} field must be an amount in dollars, such as 199.00.`;

const DOLLARS = /^\$?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/;

/** Dollars as typed (`1,234.5`, `$199`, `0.99`) as cents; undefined when blank or not an amount. */
export function parseDollars(text: string): number | undefined {
  const match = DOLLARS.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1].replaceAll(',', '')) * 100 + Number((match[2] ?? '0').padEnd(2, '0'));
}

/** Cents as a form shows them for editing: `19900` → `199.00`. */
export function dollarsText(cents: number): string {
  return (cents / 100).toFixed(2);
}
