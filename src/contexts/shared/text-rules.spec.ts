import { describe, expect, it } from 'vitest';
import { collect, valid } from './field-checks.ts';
import { checkEmail, checkRequiredText, checkText, emailKey, hasControlCharacters, isEmail } from './text-rules.ts';

const title = { label: 'Title', required: true, max: 10 };

describe('text fields', () => {
  it('trims values', () => {
    expect(checkText('  Hello \n', title)).toEqual({ value: 'Hello' });
  });

  it('answers "required" for a missing, null or blank required value', () => {
    for (const input of [undefined, null, '', '   \t\n ']) {
      expect(checkText(input, title)).toEqual({ error: 'The Title field is required.' });
    }
  });

  it('answers null for a missing, null or blank optional value', () => {
    for (const input of [undefined, null, '', '  ']) expect(checkText(input, { ...title, required: false })).toEqual({ value: null });
  });

  it('refuses control characters, allowing line breaks and tabs only in multi-line fields', () => {
    for (const input of ['a\u0000b', 'a\u0007b', 'a\u001bb', 'a\u007fb', 'a\u0085b', 'a\nb', 'a\tb', 'a\rb']) {
      expect(checkText(input, title)).toEqual({ error: 'The Title field contains invalid characters.' });
    }
    expect(checkText('a\r\nb\tc', { ...title, multiline: true })).toEqual({ value: 'a\r\nb\tc' });
    expect(checkText('a\u0000b', { ...title, multiline: true })).toEqual({ error: 'The Title field contains invalid characters.' });
    expect(hasControlCharacters('naïve — “quoted” 日本')).toBe(false);
  });

  it('counts characters, not UTF-16 units, against the limits; boundaries are valid', () => {
    expect(checkText('x'.repeat(10), title)).toEqual({ value: 'x'.repeat(10) });
    expect(checkText('x'.repeat(11), title)).toEqual({ error: 'The Title field must be at most 10 characters.' });
    expect(checkText('😀'.repeat(10), title)).toEqual({ value: '😀'.repeat(10) });
    expect(checkText(`  ${'x'.repeat(10)}  `, title)).toEqual({ value: 'x'.repeat(10) });
    const seat = { label: 'Seat type', max: 70, min: 2 };
    expect(checkRequiredText('ab', seat)).toEqual({ value: 'ab' });
    expect(checkRequiredText(' a ', seat)).toEqual({ error: 'The Seat type field must be at least 2 characters.' });
  });

  it('refuses values that are not text', () => {
    for (const input of [5, true, {}, ['a']]) expect(checkText(input, title)).toEqual({ error: 'The Title field must be text.' });
  });
});

describe('e-mail addresses', () => {
  it('accepts the shapes of DOMAIN 3.0', () => {
    for (const email of ['a@b.c', 'first.last+tag@example.co.uk', 'x_y-z@sub_domain.example-1.org', 'A@B.CD']) {
      expect(isEmail(email)).toBe(true);
    }
  });

  it('refuses everything else', () => {
    for (const email of ['', 'a', 'a@b', '@b.c', 'a@.c', 'a..b@c.d', '.a@b.c', 'a.@b.c', 'a b@c.d', 'a@b.c.', 'a@b..c', 'ä@b.c', 'a@b.c\n']) {
      expect(isEmail(email)).toBe(false);
    }
  });

  it('allows at most 254 characters', () => {
    const domain = `${'d'.repeat(60)}.${'e'.repeat(60)}.${'f'.repeat(60)}.com`;
    const at254 = `${'a'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(at254).toHaveLength(254);
    expect(isEmail(at254)).toBe(true);
    expect(isEmail(`a${at254}`)).toBe(false);
  });

  it('is checked trimmed, with its own message, and required', () => {
    expect(checkEmail('  Owner@Example.com ', 'Email address')).toEqual({ value: 'Owner@Example.com' });
    expect(checkEmail('owner@', 'Email address')).toEqual({ error: 'The provided email address is not valid.' });
    expect(checkEmail(' ', 'Email address')).toEqual({ error: 'The Email address field is required.' });
  });

  it('compares by a lower-case key', () => {
    expect(emailKey(' Owner@Example.COM ')).toBe('owner@example.com');
  });
});

describe('collecting field checks', () => {
  it('answers every clean value, or every error keyed by field', () => {
    expect(collect({ a: { value: 1 }, b: { value: null } })).toEqual({ ok: true, value: { a: 1, b: null } });
    expect(collect({ a: { value: 1 }, b: { error: 'bad b' }, c: { error: 'bad c' } })).toEqual({ ok: false, errors: { b: 'bad b', c: 'bad c' } });
  });

  it('throws a ValidationError naming the fields', () => {
    expect(valid({ ok: true, value: 'x' })).toBe('x');
    expect(() => valid({ ok: false, errors: { name: 'bad' } })).toThrow(
      expect.objectContaining({ name: 'ValidationError', fields: { name: 'bad' } }),
    );
  });
});
