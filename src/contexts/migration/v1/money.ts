/**
 * V1 amounts are dollars written as decimal numbers. They become integer cents from their decimal
 * text, never through floating-point arithmetic (DOMAIN 7.5 step 3): `199.99` → 19999, not 19998.
 * A number already parsed from JSON is turned back into its shortest decimal text first, which is
 * exactly the text it was written with (any amount with at most 15 significant digits).
 */
export function centsFromDollars(amount: unknown): number {
  const text = typeof amount === 'number' ? numberText(amount) : typeof amount === 'string' ? amount.trim() : undefined;
  if (text === undefined) throw new Error(`Not an amount: ${JSON.stringify(amount)}`);
  const match = /^(-?)(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) throw new Error(`Not a decimal amount: ${text}`);
  const [, sign, whole, fraction = ''] = match;
  const extra = fraction.slice(2);
  if (/[^0]/.test(extra)) throw new Error(`Amount ${text} has fractions of a cent`);
  const cents = BigInt(whole) * 100n + BigInt(fraction.slice(0, 2).padEnd(2, '0'));
  const value = Number(sign === '-' ? -cents : cents);
  if (!Number.isSafeInteger(value)) throw new Error(`Amount ${text} is out of range`);
  return value;
}

/** The decimal text of a number without exponent (`1e21` and beyond are not amounts). */
function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Not an amount: ${value}`);
  const text = String(value);
  if (!/e/i.test(text)) return text;
  // Tiny values print with an exponent (1e-7); they can only be a fraction of a cent anyway.
  const [mantissa, exponent] = text.split(/e/i);
  const shift = Number(exponent);
  if (shift >= 0) throw new Error(`Amount ${text} is out of range`);
  const [intPart, fracPart = ''] = mantissa.replace('-', '').split('.');
  return `${value < 0 ? '-' : ''}0.${'0'.repeat(-shift - 1)}${intPart}${fracPart}`;
}
