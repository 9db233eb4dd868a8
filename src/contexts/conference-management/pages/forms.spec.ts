import { describe, expect, it } from 'vitest';
import { dollarsText, formText, formTexts, parseDollars, wholeNumberInput } from './forms.ts';

describe('form values', () => {
  it('reads text fields; missing, repeated or non-text fields read as empty', () => {
    const body = { name: 'Ada', twice: ['a', 'b'], count: 3 };
    expect(formText(body, 'name')).toBe('Ada');
    for (const name of ['missing', 'twice', 'count']) expect(formText(body, name)).toBe('');
    expect(formText(undefined, 'name')).toBe('');
    expect(formText('name=Ada', 'name')).toBe('');
    expect(formTexts(body, ['name', 'missing'])).toEqual({ name: 'Ada', missing: '' });
  });

  it('turns digits into whole numbers, blank into missing, and passes anything else on as text', () => {
    expect(wholeNumberInput(' 15 ')).toBe(15);
    expect(wholeNumberInput('-3')).toBe(-3);
    expect(wholeNumberInput('  ')).toBeUndefined();
    expect(wholeNumberInput('1.5')).toBe('1.5');
    expect(wholeNumberInput('ten')).toBe('ten');
  });

  it('reads dollars as cents, exactly', () => {
    expect(parseDollars('199')).toBe(19_900);
    expect(parseDollars(' $1,234.5 ')).toBe(123_450);
    expect(parseDollars('0.07')).toBe(7);
    expect(parseDollars('50000.00')).toBe(5_000_000);
    expect(parseDollars('0.29')).toBe(29);
    for (const text of ['', '1.234', '-1', '1,23', 'abc', '1e3', '$', '.5']) expect(parseDollars(text)).toBeUndefined();
  });

  it('writes cents as dollars to edit', () => {
    expect(dollarsText(19_900)).toBe('199.00');
    expect(dollarsText(5)).toBe('0.05');
    expect(parseDollars(dollarsText(123_456))).toBe(123_456);
  });
});
