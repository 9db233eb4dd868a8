import { describe, expect, it } from 'vitest';
import { decodeChange, encodeChanges } from './change-payload.ts';

describe('change notification payloads', () => {
  it('writes a topic alone, or with its keys, and reads back the same changes', () => {
    const changes = [{ topic: 'messages' as const }, { topic: 'read_models' as const, keys: ['a1', 'b2'] }];
    const payloads = encodeChanges(changes);
    expect(payloads).toEqual(['messages', 'read_models:a1,b2']);
    expect(payloads.map(decodeChange)).toEqual(changes);
  });

  it('splits many keys over payloads PostgreSQL takes (under 8000 bytes), losing none', () => {
    const keys = Array.from({ length: 500 }, (_, i) => `0190a3c2-7d1e-7c4b-9a51-${String(i).padStart(12, '0')}`);
    const payloads = encodeChanges([{ topic: 'read_models', keys }]);
    expect(payloads.length).toBeGreaterThan(1);
    for (const payload of payloads) expect(Buffer.byteLength(payload)).toBeLessThan(8000);
    expect(payloads.flatMap((payload) => decodeChange(payload)?.keys ?? [])).toEqual(keys);
  });

  it('sends a change whose keys it cannot write without keys: everyone wakes', () => {
    expect(encodeChanges([{ topic: 'checkpoints', keys: ['a,b'] }])).toEqual(['checkpoints']);
    expect(encodeChanges([{ topic: 'checkpoints', keys: [''] }])).toEqual(['checkpoints']);
    expect(encodeChanges([{ topic: 'checkpoints', keys: ['x'.repeat(8000)] }])).toEqual(['checkpoints']);
    expect(encodeChanges([{ topic: 'checkpoints', keys: [] }])).toEqual(['checkpoints']);
  });

  it('ignores payloads of no known topic', () => {
    expect(decodeChange('nonsense')).toBeUndefined();
    expect(decodeChange('nonsense:a,b')).toBeUndefined();
    expect(decodeChange('read_models:')).toEqual({ topic: 'read_models' });
  });
});
