import { describe, expect, it } from 'vitest';
import { formatDateRange, formatMoney } from './format.ts';

describe('money', () => {
  it('shows integer cents as en-US dollars with two decimals', () => {
    expect(formatMoney(119_700)).toBe('$1,197.00');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(5)).toBe('$0.05');
    expect(formatMoney(5_000_000)).toBe('$50,000.00');
    expect(formatMoney(123_456_789)).toBe('$1,234,567.89');
  });
});

describe('conference dates', () => {
  it('writes the year once when both dates share it', () => {
    expect(formatDateRange('2012-06-12', '2012-06-14')).toBe('Jun 12 – Jun 14, 2012');
    expect(formatDateRange('2012-05-30', '2012-06-02')).toBe('May 30 – Jun 2, 2012');
  });

  it('writes a one-day conference as one date, and both years across a new year', () => {
    expect(formatDateRange('2012-06-12', '2012-06-12')).toBe('Jun 12, 2012');
    expect(formatDateRange('2012-12-30', '2013-01-02')).toBe('Dec 30, 2012 – Jan 2, 2013');
  });

  it('does not shift dates by the local time zone', () => {
    expect(formatDateRange('2030-01-01', '2030-12-31')).toBe('Jan 1 – Dec 31, 2030');
  });
});
