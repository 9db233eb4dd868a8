import { describe, expect, it } from 'vitest';
import type { Message } from './envelope.ts';
import { newCommand, newEvent, newOperatorAction, originFromRequest, originOf } from './factory.ts';
import { derivedId, isUuid, newId } from './ids.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-([0-9a-f])[0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit Unix millisecond timestamp at the front of a UUIDv7. */
const timestampOf = (id: string) => parseInt(id.replaceAll('-', '').slice(0, 12), 16);

describe('ids', () => {
  it('newId is a UUIDv7 (version nibble 7, RFC 4122 variant) stamped with the current time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    const match = UUID.exec(id);
    expect(match).not.toBeNull();
    expect(match![1]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(match![2]);
    expect(isUuid(id)).toBe(true);
    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('newId is unique and time-ordered across calls, also within one millisecond', () => {
    const ids = Array.from({ length: 5000 }, () => newId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('newId is ordered across milliseconds', async () => {
    const first = newId();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const second = newId();
    expect(timestampOf(second)).toBeGreaterThan(timestampOf(first));
    expect(second > first).toBe(true);
  });

  it('derivedId is deterministic per namespace and name, and differs otherwise', () => {
    const namespace = newId();
    const other = newId();
    const id = derivedId(namespace, 'seat-type:full');
    expect(derivedId(namespace, 'seat-type:full')).toBe(id);
    expect(UUID.exec(id)?.[1]).toBe('5');
    expect(derivedId(namespace, 'seat-type:vip')).not.toBe(id);
    expect(derivedId(other, 'seat-type:full')).not.toBe(id);
    // A known UUIDv5 vector (DNS namespace, "www.example.com").
    expect(derivedId('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('isUuid tells UUIDs from other ids', () => {
    expect(isUuid(newId())).toBe(true);
    expect(isUuid('Order_123_0')).toBe(false);
    expect(isUuid('')).toBe(false);
  });
});

describe('message factory', () => {
  const parent = (correlationId: string | null): Message =>
    newCommand('PlaceOrder', { orderId: 'o-1' }, { target: 'o-1', origin: { correlationId, causationId: null } });

  it('originOf carries the parent flow: correlation = the parent correlation, causation = the parent id', () => {
    const cause = parent('flow-1');
    expect(originOf(cause)).toEqual({ correlationId: 'flow-1', causationId: cause.metadata.messageId });
  });

  it('originOf starts a flow at a parent without a correlation id', () => {
    const cause = parent(null);
    expect(originOf(cause)).toEqual({ correlationId: cause.metadata.messageId, causationId: cause.metadata.messageId });
  });

  it('originFromRequest has a correlation and no cause', () => {
    expect(originFromRequest('order-9')).toEqual({ correlationId: 'order-9', causationId: null });
  });

  it('newCommand fills the command envelope and carries correlation and causation from its parent', () => {
    const cause = parent('flow-1');
    const before = Date.now();
    const command = newCommand('MakeSeatReservation', { quantity: 2 }, { target: 'conf-1', origin: originOf(cause) });
    expect(command.type).toBe('MakeSeatReservation');
    expect(command.data).toEqual({ quantity: 2 });
    const m = command.metadata;
    expect(m).toMatchObject({
      kind: 'command',
      schemaVersion: 1,
      sourceType: 'Command',
      sourceId: m.messageId,
      version: null,
      target: 'conf-1',
      correlationId: 'flow-1',
      causationId: cause.metadata.messageId,
    });
    expect(UUID.exec(m.messageId)?.[1]).toBe('7');
    expect(m.messageId).not.toBe(cause.metadata.messageId);
    expect(Date.parse(m.createdAt)).toBeGreaterThanOrEqual(before - 1);
    expect(new Date(m.createdAt).toISOString()).toBe(m.createdAt);
  });

  it('newCommand keeps a given id, time, schema version and extra metadata, but extras never override the envelope', () => {
    const createdAt = new Date('2030-02-03T04:05:06.789Z');
    const command = newCommand('X', {}, {
      target: 't',
      origin: originFromRequest('c'),
      id: 'fixed-id',
      createdAt,
      schemaVersion: 4,
      extra: { Imported: true, messageId: 'sneaky', kind: 'event', target: 'elsewhere' },
    });
    expect(command.metadata).toMatchObject({
      messageId: 'fixed-id',
      sourceId: 'fixed-id',
      kind: 'command',
      target: 't',
      schemaVersion: 4,
      createdAt: '2030-02-03T04:05:06.789Z',
      Imported: true,
      correlationId: 'c',
      causationId: null,
    });
  });

  it('newEvent fills the event envelope and carries correlation and causation from its parent', () => {
    const cause = parent('flow-2');
    const event = newEvent('PaymentCompleted', { amount: 5 }, { sourceType: 'Payment', sourceId: 'p-1', version: 3, origin: originOf(cause) });
    expect(event.metadata).toMatchObject({
      kind: 'event',
      schemaVersion: 1,
      sourceType: 'Payment',
      sourceId: 'p-1',
      version: 3,
      correlationId: 'flow-2',
      causationId: cause.metadata.messageId,
    });
    expect(UUID.exec(event.metadata.messageId)?.[1]).toBe('7');
    expect(event.metadata.target).toBeUndefined();
    const stream = newEvent('X', {}, { sourceType: 'S', sourceId: 's', version: 0, origin: originOf(cause), messageId: 'S_s_0', extra: { version: 99 } });
    expect(stream.metadata).toMatchObject({ messageId: 'S_s_0', version: 0 });
  });

  it('a chain of messages keeps one correlation id while each causation points at the previous message', () => {
    const first = newCommand('A', {}, { target: 't', origin: originFromRequest('order-1') });
    const second = newEvent('B', {}, { sourceType: 'S', sourceId: 's', version: 0, origin: originOf(first) });
    const third = newCommand('C', {}, { target: 't', origin: originOf(second) });
    expect([first, second, third].map((m) => m.metadata.correlationId)).toEqual(['order-1', 'order-1', 'order-1']);
    expect(second.metadata.causationId).toBe(first.metadata.messageId);
    expect(third.metadata.causationId).toBe(second.metadata.messageId);
  });

  it('newOperatorAction logs an uncorrelated operator action', () => {
    const action = newOperatorAction({ action: 'discard', target: 'h:1', reason: 'r' }, new Date('2030-01-01T00:00:00.000Z'));
    expect(action).toMatchObject({
      type: 'OperatorAction',
      data: { action: 'discard', target: 'h:1', reason: 'r' },
      metadata: { kind: 'operator-action', sourceType: 'Operator', version: null, correlationId: null, causationId: null, createdAt: '2030-01-01T00:00:00.000Z' },
    });
    expect(action.metadata.sourceId).toBe(action.metadata.messageId);
  });
});
