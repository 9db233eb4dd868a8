import { describe, expect, it } from 'vitest';
import { planSeatChanges } from './seat-changes.ts';

const ada = { firstName: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' };
const blank = { firstName: '', lastName: '', email: '' };

describe('saving the assign-seats form', () => {
  it('assigns filled rows that differ from the stored attendee, trimmed', () => {
    const plan = planSeatChanges([
      { position: 0, stored: null, typed: { firstName: ' Ada ', lastName: 'Lovelace', email: ' ada@example.com' } },
      { position: 1, stored: ada, typed: { ...ada, firstName: 'Augusta' } },
    ]);
    expect(plan).toEqual({ ok: true, changes: [{ position: 0, attendee: ada }, { position: 1, attendee: { ...ada, firstName: 'Augusta' } }] });
  });

  it('leaves alone an unchanged attendee (e-mail in another case) and an empty seat left empty', () => {
    const plan = planSeatChanges([
      { position: 0, stored: ada, typed: { ...ada, email: 'ADA@Example.com' } },
      { position: 1, stored: null, typed: { firstName: ' ', lastName: '', email: '' } },
    ]);
    expect(plan).toEqual({ ok: true, changes: [] });
  });

  it('frees a seat whose e-mail was blanked, whatever the names say', () => {
    const plan = planSeatChanges([{ position: 2, stored: ada, typed: { ...ada, email: '  ' } }]);
    expect(plan).toEqual({ ok: true, changes: [{ position: 2, attendee: null }] });
  });

  it('validates every row first: one invalid row and nothing changes', () => {
    const plan = planSeatChanges([
      { position: 0, stored: null, typed: ada },
      { position: 1, stored: null, typed: { ...blank, firstName: 'Bob' } },
      { position: 2, stored: null, typed: { ...ada, email: 'not-an-address' } },
      { position: 3, stored: ada, typed: blank },
    ]);
    expect(plan.ok).toBe(false);
    if (plan.ok) return;
    expect([...plan.errors.keys()]).toEqual([1, 2]);
    expect(plan.errors.get(1)).toEqual({ lastName: 'The LastName field is required.', email: 'The Email field is required.' });
    expect(plan.errors.get(2)).toEqual({ email: 'The provided email address is not valid.' });
  });
});
