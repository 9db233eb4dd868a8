import { randomInt } from 'node:crypto';

/** The 32 symbols of access codes: no `I`, `L`, `O` or `0`, which read like others (DOMAIN 3.0). */
export const ACCESS_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ123456789';
export const ACCESS_CODE_LENGTH = 6;

const ACCESS_CODE = new RegExp(`^[${ACCESS_CODE_ALPHABET}]{${ACCESS_CODE_LENGTH}}$`);

/** A new access code (owner or order): each symbol drawn uniformly from a cryptographically secure source. */
export function newAccessCode(): string {
  let code = '';
  for (let i = 0; i < ACCESS_CODE_LENGTH; i++) code += ACCESS_CODE_ALPHABET[randomInt(ACCESS_CODE_ALPHABET.length)];
  return code;
}

/** Access codes are entered in any case and stored upper case. */
export function normalizeAccessCode(input: string): string {
  return input.trim().toUpperCase();
}

/** Whether a (normalised) value has the shape of a generated access code. */
export function isAccessCode(value: string): boolean {
  return ACCESS_CODE.test(value);
}
