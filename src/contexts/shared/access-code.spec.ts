import { describe, expect, it } from 'vitest';
import { ACCESS_CODE_ALPHABET, isAccessCode, newAccessCode, normalizeAccessCode } from './access-code.ts';

describe('access codes', () => {
  it('has the 32 symbols of DOMAIN 3.0, none of I, L, O, 0', () => {
    expect(ACCESS_CODE_ALPHABET).toHaveLength(32);
    expect(new Set(ACCESS_CODE_ALPHABET).size).toBe(32);
    expect(ACCESS_CODE_ALPHABET).not.toMatch(/[ILO0]/);
  });

  it('generates 6 symbols of the alphabet, each used about equally often', () => {
    const counts = new Map<string, number>();
    const codes = 20_000;
    for (let i = 0; i < codes; i++) {
      const code = newAccessCode();
      expect(code).toMatch(/^[ABCDEFGHJKMNPQRSTUVWXYZ1-9]{6}$/);
      for (const symbol of code) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    }
    expect([...counts.keys()].sort().join('')).toBe([...ACCESS_CODE_ALPHABET].sort().join(''));
    // 120 000 symbols: 3750 expected per symbol, standard deviation about 60.
    for (const count of counts.values()) expect(Math.abs(count - 3750)).toBeLessThan(400);
  });

  it('does not repeat itself', () => {
    const codes = new Set(Array.from({ length: 1000 }, newAccessCode));
    expect(codes.size).toBeGreaterThan(995);
  });

  it('normalises input to trimmed upper case', () => {
    expect(normalizeAccessCode('  ab3xyz\t')).toBe('AB3XYZ');
    expect(normalizeAccessCode('AB3XYZ')).toBe('AB3XYZ');
  });

  it('recognises the shape of a code, upper case only', () => {
    expect(isAccessCode('AB3XYZ')).toBe(true);
    expect(isAccessCode(newAccessCode())).toBe(true);
    for (const value of ['ab3xyz', 'AB3XY', 'AB3XYZW', 'AB0XYZ', 'ABIXYZ', 'ABLXYZ', 'ABOXYZ', ' AB3XYZ', '']) {
      expect(isAccessCode(value)).toBe(false);
    }
  });
});
