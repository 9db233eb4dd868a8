import { describe, expect, it } from 'vitest';
import { durationText } from './duration.ts';

describe('the countdown time', () => {
  it('is mm:ss below one hour', () => {
    expect(durationText(15 * 60)).toBe('15:00');
    expect(durationText(10)).toBe('00:10');
    expect(durationText(59 * 60 + 59)).toBe('59:59');
    expect(durationText(0)).toBe('00:00');
  });

  it('is hh:mm:ss from one hour', () => {
    expect(durationText(3600)).toBe('01:00:00');
    expect(durationText(2 * 3600 + 5 * 60 + 7)).toBe('02:05:07');
  });

  it('never goes below zero and drops fractions', () => {
    expect(durationText(-5)).toBe('00:00');
    expect(durationText(9.9)).toBe('00:09');
  });
});
