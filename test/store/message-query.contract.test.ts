import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoggedMessage, Message } from '../../src/platform/messages/envelope.ts';
import { newCommand, newEvent, newOperatorAction } from '../../src/platform/messages/factory.ts';
import type { LogFilter, Store } from '../../src/platform/store/store.ts';
import { eventually } from '../support/eventually.ts';
import { STORE_KINDS, type StoreLocation, freshLocation } from '../support/stores.ts';

/**
 * The operator query of the message log (`queryLog`, API.md `GET /api/ops/messages`): OR within a
 * filter, AND across filters, position bounds, createdAt bounds and paging. Results are compared with
 * a plain in-memory model of the same seeded log.
 */
const KINDS = ['command', 'event', 'operator-action'] as const;
const TYPES = ['Alpha', 'Beta', 'Gamma', 'Delta'];
const SOURCE_TYPES = ['Order', 'Conference', 'Payment'];
const SOURCE_IDS = ['s1', 's2', 's3', 's4', 's5'];
const CORRELATIONS = ['c1', 'c2', 'c3'];
const T0 = Date.parse('2030-05-01T10:00:00.000Z');
/** The i-th seeded message's createdAt: some share an instant, the rest are a second apart. */
const instant = (i: number) => new Date(T0 + Math.floor(i / 2) * 1000 + (i % 5 === 0 ? 0 : 1));
const SEEDED = 90;

function seed(): Message[] {
  const messages: Message[] = [];
  const versions = new Map<string, number>();
  for (let i = 0; i < SEEDED; i++) {
    const createdAt = instant(i);
    const correlationId = i % 7 === 6 ? null : CORRELATIONS[(i + Math.floor(i / 3)) % CORRELATIONS.length];
    const origin = { correlationId, causationId: null };
    const type = TYPES[(i * 3) % TYPES.length];
    if (i % 9 === 4) {
      messages.push(newOperatorAction({ action: 'retry', target: `h/${i}`, reason: null }, createdAt));
    } else if (i % 3 === 0) {
      messages.push(newCommand(type, { i }, { target: `Order-${i % 4}`, origin, createdAt }));
    } else {
      const sourceType = SOURCE_TYPES[Math.floor(i / 2) % SOURCE_TYPES.length];
      const sourceId = SOURCE_IDS[(i * 7) % SOURCE_IDS.length];
      const key = `${sourceType}/${sourceId}`;
      const version = (versions.get(key) ?? -1) + 1;
      versions.set(key, version);
      messages.push(
        newEvent(type, { i }, { sourceType, sourceId, version, origin, createdAt, messageId: `${sourceType}_${sourceId}_${version}` }),
      );
    }
  }
  return messages;
}

/** The reference semantics, written independently of the SQL. */
function model(log: LoggedMessage[], filter: LogFilter): LoggedMessage[] {
  const within = (values: readonly string[] | undefined, value: string | null | undefined) =>
    !values?.length || (value != null && values.includes(value));
  return log.filter(
    (m) =>
      within(filter.kinds, m.metadata.kind) &&
      within(filter.types, m.type) &&
      within(filter.sourceTypes, m.metadata.sourceType) &&
      within(filter.sourceIds, m.metadata.sourceId) &&
      within(filter.correlationIds, m.metadata.correlationId) &&
      (filter.after === undefined || m.metadata.position > filter.after) &&
      (filter.from === undefined || Date.parse(m.metadata.createdAt) >= Date.parse(filter.from)) &&
      (filter.until === undefined || Date.parse(m.metadata.createdAt) < Date.parse(filter.until)),
  );
}

describe.each(STORE_KINDS)('message log queries on %s', (kind) => {
  let location: StoreLocation;
  let store: Store;
  let log: LoggedMessage[];
  let appended: Message[];

  beforeAll(async () => {
    location = await freshLocation(kind);
    store = await location.open();
    const messages = seed();
    // Several transactions, messages not in createdAt order across them.
    const chunks = [messages.slice(0, 30), messages.slice(30, 31), messages.slice(31, 70), messages.slice(70)];
    appended = [chunks[2], chunks[0], chunks[3], chunks[1]].flat();
    for (const chunk of [chunks[2], chunks[0], chunks[3], chunks[1]]) await store.transaction((tx) => store.append(tx, chunk));
    // On PostgreSQL the read horizon is cluster-wide: wait until every committed row is visible.
    log = await eventually(async () => {
      const all = (await store.queryLog({ limit: 1000 })).messages;
      return all.length === SEEDED ? all : undefined;
    });
  });
  afterAll(async () => {
    await store?.close();
    await location?.drop();
  });

  const ids = (messages: LoggedMessage[]) => messages.map((m) => m.metadata.messageId);
  const query = async (filter: Partial<LogFilter>) => (await store.queryLog({ limit: 1000, ...filter })).messages;

  it('returns the whole log in position order without filters', () => {
    const positions = log.map((m) => m.metadata.position);
    for (let i = 1; i < positions.length; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]);
    expect(log).toEqual(appended.map((m, i) => ({ ...m, metadata: { ...m.metadata, target: m.metadata.target ?? null, position: positions[i] } })));
    // sanity of the seed: every dimension has several values and both kinds of null
    expect(new Set(log.map((m) => m.metadata.kind))).toEqual(new Set(KINDS));
    expect(log.some((m) => m.metadata.correlationId === null)).toBe(true);
  });

  it('kinds, types, sourceTypes, sourceIds and correlationIds: OR within a filter', async () => {
    const commands = await query({ kinds: ['command'] });
    expect(commands.length).toBeGreaterThan(5);
    expect(commands.every((m) => m.metadata.kind === 'command')).toBe(true);
    expect(ids(commands)).toEqual(ids(log.filter((m) => m.metadata.kind === 'command')));

    const some = await query({ kinds: ['command', 'operator-action'] });
    expect(ids(some)).toEqual(ids(log.filter((m) => m.metadata.kind !== 'event')));

    expect(ids(await query({ types: ['Alpha', 'Gamma'] }))).toEqual(ids(log.filter((m) => m.type === 'Alpha' || m.type === 'Gamma')));
    expect(ids(await query({ sourceTypes: ['Payment'] }))).toEqual(ids(log.filter((m) => m.metadata.sourceType === 'Payment')));
    expect(ids(await query({ sourceIds: ['s2', 's4'] }))).toEqual(ids(log.filter((m) => ['s2', 's4'].includes(m.metadata.sourceId))));
    const corr = await query({ correlationIds: ['c1', 'c3'] });
    expect(ids(corr)).toEqual(ids(log.filter((m) => ['c1', 'c3'].includes(m.metadata.correlationId!))));
    expect(corr.some((m) => m.metadata.correlationId === 'c1') && corr.some((m) => m.metadata.correlationId === 'c3')).toBe(true);
    expect(await query({ types: ['Nope'] })).toEqual([]);
    // An empty list means no filter on that dimension.
    expect(ids(await query({ types: [], kinds: [] }))).toEqual(ids(log));
  });

  it('AND across filters', async () => {
    const result = await query({ kinds: ['event'], sourceTypes: ['Order', 'Payment'], correlationIds: ['c2'] });
    const expected = log.filter(
      (m) => m.metadata.kind === 'event' && ['Order', 'Payment'].includes(m.metadata.sourceType) && m.metadata.correlationId === 'c2',
    );
    expect(expected.length).toBeGreaterThan(0);
    expect(ids(result)).toEqual(ids(expected));
    // Each filter alone would match more.
    expect((await query({ kinds: ['event'] })).length).toBeGreaterThan(result.length);
    expect((await query({ correlationIds: ['c2'] })).length).toBeGreaterThan(result.length);
    // Contradictory filters match nothing.
    expect(await query({ kinds: ['command'], sourceTypes: ['Order'] })).toEqual([]);
  });

  it('after is an exclusive position bound', async () => {
    const pivot = log[40].metadata.position;
    expect(ids(await query({ after: pivot }))).toEqual(ids(log.slice(41)));
    expect(ids(await query({ after: pivot, types: ['Beta'] }))).toEqual(ids(log.slice(41).filter((m) => m.type === 'Beta')));
    expect(await query({ after: log.at(-1)!.metadata.position })).toEqual([]);
  });

  it('from is inclusive and until exclusive on createdAt', async () => {
    const from = instant(20).toISOString();
    const until = instant(41).toISOString();
    const result = await query({ from, until });
    const expected = log.filter((m) => m.metadata.createdAt >= from && m.metadata.createdAt < until);
    expect(ids(result)).toEqual(ids(expected));
    // the boundary instants themselves
    expect(result.some((m) => m.metadata.createdAt === from)).toBe(true);
    expect(result.some((m) => m.metadata.createdAt === until)).toBe(false);
    expect(log.some((m) => m.metadata.createdAt === until)).toBe(true);
    // a message at exactly `from` is kept, at exactly `until` is not
    expect(ids(await query({ from: until, until: until }))).toEqual([]);
    const exact = await query({ from: until, until: new Date(Date.parse(until) + 1).toISOString() });
    expect(exact.length).toBeGreaterThan(0);
    expect(exact.every((m) => m.metadata.createdAt === until)).toBe(true);
    // Log order is position order, not createdAt order.
    expect(ids(await query({ from }))).toEqual(ids(log.filter((m) => m.metadata.createdAt >= from)));
  });

  it('pages with limit and next: next is null at the end and walking the pages yields everything once', async () => {
    const filter = { kinds: ['event', 'command'] } satisfies Partial<LogFilter>;
    const all = model(log, { limit: 1000, ...filter });
    for (const limit of [1, 7, all.length, all.length - 1, all.length + 1]) {
      const pages: LoggedMessage[][] = [];
      let after: number | undefined;
      for (;;) {
        const page = await store.queryLog({ limit, after, ...filter });
        expect(page.messages.length).toBeLessThanOrEqual(limit);
        pages.push(page.messages);
        if (page.next === null) break;
        expect(page.messages).toHaveLength(limit);
        expect(page.next).toBe(page.messages.at(-1)!.metadata.position);
        after = page.next;
        expect(pages.length).toBeLessThan(1000);
      }
      expect(ids(pages.flat())).toEqual(ids(all));
      expect(pages.length).toBe(Math.max(1, Math.ceil(all.length / limit)));
      // No empty trailing page when the total is a multiple of the limit.
      if (all.length > 0) expect(pages.at(-1)!.length).toBeGreaterThan(0);
    }
    const none = await store.queryLog({ limit: 5, types: ['Nope'] });
    expect(none).toEqual({ messages: [], next: null });
  });

  it('matches the model for arbitrary filter combinations, paged', async () => {
    // Each dimension is left out more often than not, so that many combinations still match something.
    const subset = <T>(values: readonly T[]) =>
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: fc.subarray([...values], { minLength: 1 }), weight: 2 });
    let matched = 0;
    const positions = log.map((m) => m.metadata.position);
    const filter = fc.record({
      kinds: subset(KINDS),
      types: subset(TYPES),
      sourceTypes: subset([...SOURCE_TYPES, 'Command', 'Operator']),
      sourceIds: subset([...SOURCE_IDS, log[0].metadata.sourceId]),
      correlationIds: subset(CORRELATIONS),
      after: fc.option(fc.constantFrom(...positions), { nil: undefined }),
      from: fc.option(fc.integer({ min: -1, max: SEEDED }).map((i) => instant(i).toISOString()), { nil: undefined }),
      until: fc.option(fc.integer({ min: 0, max: SEEDED + 1 }).map((i) => instant(i).toISOString()), { nil: undefined }),
      limit: fc.integer({ min: 1, max: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(filter, async (f) => {
        const clean: LogFilter = f;
        const expected = model(log, clean);
        const walked: LoggedMessage[] = [];
        let after = clean.after;
        for (let pages = 0; ; pages++) {
          expect(pages).toBeLessThanOrEqual(SEEDED);
          const page = await store.queryLog({ ...clean, after });
          walked.push(...page.messages);
          if (page.next === null) break;
          after = page.next;
        }
        expect(ids(walked)).toEqual(ids(expected));
        expect(walked).toEqual(expected);
        if (expected.length > 0) matched++;
      }),
      { numRuns: 60 },
    );
    expect(matched).toBeGreaterThan(15);
  });
});
