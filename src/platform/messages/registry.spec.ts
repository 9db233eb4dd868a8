import Type from 'typebox';
import { describe, expect, it } from 'vitest';
import type { Message, Metadata } from './envelope.ts';
import { MessageRegistry, UndecodableMessageError } from './registry.ts';

function stored(type: string, schemaVersion: number, data: unknown, extra: Record<string, unknown> = {}): Message {
  return {
    type,
    data,
    metadata: {
      ...extra,
      messageId: `Seats_s1_${schemaVersion}`,
      kind: 'event',
      schemaVersion,
      sourceType: 'Seats',
      sourceId: 's1',
      version: 4,
      correlationId: 'order-1',
      causationId: 'command-1',
      createdAt: '2030-01-01T00:00:00.000Z',
      position: 42,
    },
  };
}

const reserveSchema = Type.Object({
  orderId: Type.String(),
  quantity: Type.Integer({ minimum: 1 }),
  seat: Type.Object({ type: Type.String() }),
});

describe('MessageRegistry: definitions and validation', () => {
  it('accepts a payload that matches the type schema', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'ReserveSeats', kind: 'command', schema: reserveSchema });
    expect(registry.validate('ReserveSeats', { orderId: 'o', quantity: 2, seat: { type: 'full' } })).toEqual([]);
  });

  it('answers field errors that name each bad field by its path', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'ReserveSeats', kind: 'command', schema: reserveSchema });
    const errors = registry.validate('ReserveSeats', { orderId: 7, quantity: 0, seat: { type: false } });
    const paths = new Set(errors.map((e) => e.path));
    expect(paths).toEqual(new Set(['/orderId', '/quantity', '/seat/type']));
    for (const error of errors) expect(error.message).not.toBe('');
  });

  it('names a missing required field in its error', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'ReserveSeats', kind: 'command', schema: reserveSchema });
    const errors = registry.validate('ReserveSeats', { orderId: 'o', seat: { type: 'full' } });
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.some((e) => e.path === '/quantity' || e.message.includes('quantity'))).toBe(true);
    expect(errors.some((e) => e.message.includes('orderId'))).toBe(false);
  });

  it('reports an unknown type instead of validating it', () => {
    const registry = new MessageRegistry();
    expect(registry.has('Nope')).toBe(false);
    expect(registry.definition('Nope')).toBeUndefined();
    expect(registry.validate('Nope', {})).toEqual([{ path: '', message: 'Unknown message type Nope' }]);
    expect(() => registry.schemaVersion('Nope')).toThrow(/Unknown message type Nope/);
  });

  it('knows each type, its kind and its current schema version (1 unless given)', () => {
    const registry = new MessageRegistry();
    const reserve = registry.define({ type: 'ReserveSeats', kind: 'command', schema: reserveSchema });
    registry.define({ type: 'SeatsReserved', kind: 'event', schema: Type.Object({}), schemaVersion: 3 });
    expect(registry.has('ReserveSeats')).toBe(true);
    expect(registry.definition('ReserveSeats')).toBe(reserve);
    expect(registry.definition('SeatsReserved')?.kind).toBe('event');
    expect(registry.schemaVersion('ReserveSeats')).toBe(1);
    expect(registry.schemaVersion('SeatsReserved')).toBe(3);
  });

  it('refuses a type defined twice and two upcasters from the same stored shape', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'A', kind: 'event', schema: Type.Object({}) });
    expect(() => registry.define({ type: 'A', kind: 'event', schema: Type.Object({}) })).toThrow(/twice/);
    registry.addUpcaster({ fromType: 'A', fromVersion: 0, toVersion: 1, upcast: (d) => d });
    expect(() => registry.addUpcaster({ fromType: 'A', fromVersion: 0, toVersion: 1, upcast: (d) => d })).toThrow(/Two upcasters/);
  });

  it('parse answers a valid payload and raises UndecodableMessageError naming the field on garbage', () => {
    const registry = new MessageRegistry();
    const reserve = registry.define({ type: 'ReserveSeats', kind: 'command', schema: reserveSchema });
    const good = { orderId: 'o', quantity: 1, seat: { type: 'full' } };
    expect(registry.parse(reserve, good)).toEqual(good);
    expect(() => registry.parse(reserve, { orderId: 'o', quantity: 'many', seat: { type: 'full' } })).toThrow(UndecodableMessageError);
    expect(() => registry.parse(reserve, { orderId: 'o', quantity: 'many', seat: { type: 'full' } })).toThrow(/\/quantity/);
    expect(() => registry.parse(reserve, 'garbage')).toThrow(UndecodableMessageError);
    expect(() => registry.parse(reserve, null)).toThrow(UndecodableMessageError);
  });
});

describe('MessageRegistry: upcasting on read', () => {
  /** SeatsReserved v3 `{ orderId, seats: [{ type, quantity }] }`, with stored v1 and v2 shapes. */
  function evolvedRegistry(calls: string[] = []) {
    const registry = new MessageRegistry();
    registry.define({
      type: 'SeatsReserved',
      kind: 'event',
      schemaVersion: 3,
      schema: Type.Object({ orderId: Type.String(), seats: Type.Array(Type.Object({ type: Type.String(), quantity: Type.Integer() })) }),
    });
    // Registered out of chain order: the chain is followed by stored version, not by registration.
    registry.addUpcaster({
      fromType: 'SeatsReserved',
      fromVersion: 2,
      toVersion: 3,
      upcast: (data) => {
        calls.push('2→3');
        const { orderId, seat } = data as { orderId: string; seat: { type: string; quantity: number } };
        return { orderId, seats: [{ type: seat.type, quantity: seat.quantity }] };
      },
    });
    registry.addUpcaster({
      fromType: 'SeatsReserved',
      fromVersion: 1,
      toVersion: 2,
      upcast: (data) => {
        calls.push('1→2');
        const { order, type, quantity } = data as { order: string; type: string; quantity: number };
        return { orderId: order, seat: { type, quantity } };
      },
    });
    return registry;
  }

  it('applies the upcasters in chain order (v1→v2→v3) and sets the current schema version', () => {
    const calls: string[] = [];
    const registry = evolvedRegistry(calls);
    const v1 = stored('SeatsReserved', 1, { order: 'o-1', type: 'full', quantity: 2 }, { Imported: true });
    const upcast = registry.upcast(v1);
    expect(calls).toEqual(['1→2', '2→3']);
    expect(upcast.type).toBe('SeatsReserved');
    expect(upcast.data).toEqual({ orderId: 'o-1', seats: [{ type: 'full', quantity: 2 }] });
    expect(upcast.metadata.schemaVersion).toBe(3);
    expect(registry.validate('SeatsReserved', upcast.data)).toEqual([]);
    // Every other envelope field and the extra metadata are kept; the stored message is untouched.
    expect({ ...upcast.metadata, schemaVersion: 1 }).toEqual(v1.metadata);
    expect(v1.metadata.schemaVersion).toBe(1);
    expect(v1.data).toEqual({ order: 'o-1', type: 'full', quantity: 2 });
  });

  it('starts the chain at the stored version', () => {
    const calls: string[] = [];
    const registry = evolvedRegistry(calls);
    const upcast = registry.upcast(stored('SeatsReserved', 2, { orderId: 'o-2', seat: { type: 'vip', quantity: 1 } }));
    expect(calls).toEqual(['2→3']);
    expect(upcast).toMatchObject({ data: { orderId: 'o-2', seats: [{ type: 'vip', quantity: 1 }] }, metadata: { schemaVersion: 3 } });
  });

  it('answers a message already at its current version as it is', () => {
    const calls: string[] = [];
    const registry = evolvedRegistry(calls);
    const current = stored('SeatsReserved', 3, { orderId: 'o', seats: [] });
    expect(registry.upcast(current)).toBe(current);
    expect(calls).toEqual([]);
  });

  it('gives each upcaster the stored metadata', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'OrderPlaced', kind: 'event', schema: Type.Object({ total: Type.Number(), conferenceId: Type.String() }), schemaVersion: 2 });
    const seen: Metadata[] = [];
    registry.addUpcaster({
      fromType: 'OrderPlaced',
      fromVersion: 1,
      toVersion: 2,
      upcast: (data, metadata) => {
        seen.push(metadata);
        return { ...(data as object), conferenceId: metadata.DerivedConference };
      },
    });
    const v1 = stored('OrderPlaced', 1, { total: 10 }, { DerivedConference: 'conf-9' });
    expect(registry.upcast(v1).data).toEqual({ total: 10, conferenceId: 'conf-9' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ messageId: v1.metadata.messageId, DerivedConference: 'conf-9', schemaVersion: 1 });
  });

  it('follows renames: old stored names read as the current type, and storedNamesOf lists them', () => {
    const registry = new MessageRegistry();
    registry.define({ type: 'OrderConfirmed', kind: 'event', schema: Type.Object({ orderId: Type.String() }), schemaVersion: 2 });
    registry.define({ type: 'Unrelated', kind: 'event', schema: Type.Object({}) });
    // OrderPaid@0 → OrderPaymentConfirmed@1 → OrderConfirmed@1 → OrderConfirmed@2, registered oldest first.
    registry.addUpcaster({ fromType: 'OrderPaid', fromVersion: 0, toType: 'OrderPaymentConfirmed', toVersion: 1, upcast: (d) => ({ id: (d as { order: string }).order }) });
    registry.addUpcaster({ fromType: 'OrderPaymentConfirmed', fromVersion: 1, toType: 'OrderConfirmed', toVersion: 1, upcast: (d) => d });
    registry.addUpcaster({ fromType: 'OrderConfirmed', fromVersion: 1, toVersion: 2, upcast: (d) => ({ orderId: (d as { id: string }).id }) });

    expect(new Set(registry.storedNamesOf('OrderConfirmed'))).toEqual(new Set(['OrderConfirmed', 'OrderPaymentConfirmed', 'OrderPaid']));
    expect(new Set(registry.storedNamesOf('OrderPaymentConfirmed'))).toEqual(new Set(['OrderPaymentConfirmed', 'OrderPaid']));
    expect(registry.storedNamesOf('Unrelated')).toEqual(['Unrelated']);

    const upcast = registry.upcast(stored('OrderPaid', 0, { order: 'o-7' }));
    expect(upcast.type).toBe('OrderConfirmed');
    expect(upcast.data).toEqual({ orderId: 'o-7' });
    expect(upcast.metadata.schemaVersion).toBe(2);
  });

  it('raises UndecodableMessageError for an unknown type', () => {
    const registry = evolvedRegistry();
    expect(() => registry.upcast(stored('NeverHeardOf', 1, {}))).toThrow(UndecodableMessageError);
    expect(() => registry.upcast(stored('NeverHeardOf', 1, {}))).toThrow(/Unknown message type NeverHeardOf/);
  });

  it('raises UndecodableMessageError for a stored version no upcaster leads from', () => {
    const registry = evolvedRegistry();
    for (const version of [0, 4, 9]) {
      expect(() => registry.upcast(stored('SeatsReserved', version, {}))).toThrow(UndecodableMessageError);
    }
    expect(() => registry.upcast(stored('SeatsReserved', 9, {}))).toThrow(/from schema version 9 to 3/);
  });

  it('raises UndecodableMessageError when an upcaster cannot read a garbage payload', () => {
    const registry = evolvedRegistry();
    for (const garbage of [null, 'not an object', 17]) {
      let caught: unknown;
      try {
        registry.upcast(stored('SeatsReserved', 2, garbage));
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UndecodableMessageError);
      expect((caught as Error).message).toContain('SeatsReserved');
      expect((caught as Error).cause).toBeInstanceOf(TypeError);
    }
  });
});
