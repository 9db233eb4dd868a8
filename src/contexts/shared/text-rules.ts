import type { FieldCheck } from './field-checks.ts';

/** The shared text rules of DOMAIN 3.0: trimming, control characters, lengths, required fields, e-mails. */

export const INVALID_EMAIL = 'The provided email address is not valid.';
export const MAX_EMAIL_LENGTH = 254;

export const required = (label: string) => `The ${label} field is required.`;
const invalidCharacters = (label: string) => `The ${label} field contains invalid characters.`;
export const tooLong = (label: string, max: number) => `The ${label} field must be at most ${max} characters.`;
const tooShort = (label: string, min: number) => `The ${label} field must be at least ${min} characters.`;
const notText = (label: string) => `The ${label} field must be text.`;

const EMAIL = /^[A-Za-z0-9_+-]+(\.?[A-Za-z0-9_+-])*@[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)+$/;
const CONTROL = /\p{Cc}/u;
/** Control characters other than tab, line feed and carriage return. */
const CONTROL_EXCEPT_LINES = /[^\P{Cc}\t\n\r]/u;

export interface TextRule {
  /** The visible label without colon and asterisk, e.g. "Start date". */
  label: string;
  required: boolean;
  max: number;
  min?: number;
  /** Multi-line fields accept line breaks and tabs. */
  multiline?: boolean;
}

/** The whole string is an e-mail address as DOMAIN 3.0 defines it (at most 254 characters). */
export function isEmail(value: string): boolean {
  return value.length <= MAX_EMAIL_LENGTH && EMAIL.test(value);
}

/** Whether text holds control characters (line breaks and tabs allowed when `multiline`). */
export function hasControlCharacters(value: string, multiline = false): boolean {
  return (multiline ? CONTROL_EXCEPT_LINES : CONTROL).test(value);
}

/** Length in characters (code points), as a reader counts them. */
export function characters(value: string): number {
  let count = 0;
  for (const _ of value) count++;
  return count;
}

/** Trimmed text; null when absent or blank; an error when not text. */
export function trimmed(input: unknown, label: string): FieldCheck<string | null> {
  if (input === undefined || input === null) return { value: null };
  if (typeof input !== 'string') return { error: notText(label) };
  const value = input.trim();
  return { value: value === '' ? null : value };
}

/** Trimmed text that must be there. */
export function present(input: unknown, label: string): FieldCheck<string> {
  const text = trimmed(input, label);
  if ('error' in text) return text;
  return text.value === null ? { error: required(label) } : { value: text.value };
}

/**
 * A text field: trimmed; absent, null or blank is null (or "required"); then control characters,
 * then the length limits.
 */
export function checkText(input: unknown, rule: TextRule): FieldCheck<string | null> {
  const text = rule.required ? present(input, rule.label) : trimmed(input, rule.label);
  if ('error' in text || text.value === null) return text;
  const value = text.value;
  if (hasControlCharacters(value, rule.multiline)) return { error: invalidCharacters(rule.label) };
  const length = characters(value);
  if (length > rule.max) return { error: tooLong(rule.label, rule.max) };
  if (rule.min !== undefined && length < rule.min) return { error: tooShort(rule.label, rule.min) };
  return { value };
}

/** A required text field: never null once valid. */
export function checkRequiredText(input: unknown, rule: Omit<TextRule, 'required'>): FieldCheck<string> {
  return checkText(input, { ...rule, required: true }) as FieldCheck<string>;
}

/** A required e-mail address, trimmed. */
export function checkEmail(input: unknown, label: string): FieldCheck<string> {
  const text = present(input, label);
  if ('error' in text) return text;
  return isEmail(text.value) ? text : { error: INVALID_EMAIL };
}

/** E-mail addresses compare case-insensitively (DOMAIN Conventions): the key to compare and index by. */
export function emailKey(email: string): string {
  return email.trim().toLowerCase();
}
