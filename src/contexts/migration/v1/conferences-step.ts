/**
 * Step 2 of the import (DOMAIN 7.5): copies the V1 conferences and seat types into Conference
 * Management's tables (prices in cents, dates as their date part) and regenerates the integration
 * events V1 never stored. A conference already imported is compared with its V1 row, and what
 * Conference Management would have written for the change is appended with the next per-source
 * version.
 */
import type { Selectable } from 'kysely';
import type { Message } from '../../../platform/messages/envelope.ts';
import type { Store } from '../../../platform/store/store.ts';
import { isReservedSlug } from '../../../web/reserved-slugs.ts';
import { conferenceEvent, seatEvent } from '../../conference-management/integration-events.ts';
import { type Conference, conferenceRow, detailColumns, managementDb, type SeatType, seatTypeRow, slugKey, toConference } from '../../conference-management/records.ts';
import { HOLD_MINUTES } from '../../conference-management/rules.ts';
import type { ConferencesTable, SeatTypesTable } from '../../conference-management/schema.ts';
import { newAccessCode, normalizeAccessCode } from '../../shared/access-code.ts';
import { emailKey } from '../../shared/text-rules.ts';
import { asGenerated, syntheticTimes } from './generated-events.ts';
import { centsFromDollars } from './money.ts';
import { quotaCommand } from './quota-commands.ts';
import type { V1Conference } from './v1-store.ts';

/** A reserved or case-duplicate slug stops the import until renamed with `--rename-slug old=new`. */
export class SlugConflictError extends Error {
  override readonly name = 'SlugConflictError';
  constructor(readonly problems: string[]) {
    super(`The import stops on these slugs (rename them with --rename-slug old=new):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface NewAccessCode {
  conferenceId: string;
  slug: string;
  ownerEmail: string;
  accessCode: string;
  reason: 'missing' | 'clash';
}

export interface ConferencesResult {
  conferences: number;
  seatTypes: number;
  created: number;
  eventsWritten: number;
  quotaCommands: number;
  newAccessCodes: NewAccessCode[];
}

/** The slug each V1 conference gets, or a {@link SlugConflictError}. */
export async function plannedSlugs(store: Store, conferences: V1Conference[], renames: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const byOld = new Map([...renames].map(([from, to]) => [slugKey(from), to]));
  const slugs = new Map(conferences.map((c) => [c.id, byOld.get(slugKey(c.slug)) ?? c.slug]));
  const existing = await managementDb(store.db).selectFrom('conferences').select(['id', 'slug_key']).execute();
  const owners = new Map(existing.map((row) => [row.slug_key, row.id]));
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const conference of conferences) {
    const slug = slugs.get(conference.id)!;
    const key = slugKey(slug);
    if (isReservedSlug(slug)) problems.push(`${slug} (conference ${conference.id}) is reserved`);
    const twin = seen.get(key);
    if (twin !== undefined) problems.push(`${slug} (conference ${conference.id}) differs only in case from ${twin}`);
    seen.set(key, `${slug} (conference ${conference.id})`);
    const owner = owners.get(key);
    if (owner !== undefined && owner !== conference.id) problems.push(`${slug} (conference ${conference.id}) is taken by conference ${owner}`);
  }
  if (problems.length > 0) throw new SlugConflictError(problems);
  return slugs;
}

interface Target {
  conference: Conference;
  seatTypes: SeatType[];
}

/** The V2 record a V1 conference becomes (event versions as the regenerated events leave them). */
function target(v1: V1Conference, slug: string, accessCode: string): Target {
  const eventVersion = v1.wasEverPublished ? (v1.isPublished ? 1 : 2) : 0;
  return {
    conference: {
      id: v1.id,
      slug,
      accessCode,
      ownerName: v1.ownerName,
      ownerEmail: v1.ownerEmail,
      name: v1.name,
      tagline: v1.tagline,
      description: v1.description,
      location: v1.location,
      twitterSearch: v1.twitterSearch,
      startDate: v1.startDate,
      endDate: v1.endDate,
      reservationHoldMinutes: HOLD_MINUTES.default,
      isPublished: v1.wasEverPublished && v1.isPublished,
      wasEverPublished: v1.wasEverPublished,
      eventVersion,
    },
    seatTypes: v1.seatTypes.map((seatType, position) => ({
      id: seatType.id,
      conferenceId: v1.id,
      position,
      name: seatType.name,
      description: seatType.description,
      quantity: seatType.quantity,
      price: centsFromDollars(seatType.price),
      eventVersion: v1.wasEverPublished ? 0 : -1,
    })),
  };
}

/** The integration events of a conference imported for the first time, in order. */
function firstEvents({ conference, seatTypes }: Target): Message[] {
  const now = new Date(0);
  const events = [conferenceEvent('ConferenceCreated', conference, 0, now)];
  if (conference.wasEverPublished) {
    for (const seatType of seatTypes) events.push(seatEvent('SeatCreated', seatType, 0, now));
    events.push(conferenceEvent('ConferencePublished', conference, 1, now));
    if (!conference.isPublished) events.push(conferenceEvent('ConferenceUnpublished', conference, 2, now));
  }
  return events;
}

export async function importConferences(
  store: Store,
  conferences: V1Conference[],
  options: { slugs: Map<string, string>; firstEventTime: string; dryRun: boolean; now: Date; mentionedSeatTypes: ReadonlySet<string> },
): Promise<{ result: ConferencesResult; quotaCommands: Message[] }> {
  const quotaCommands: Message[] = [];
  const db = managementDb(store.db);
  const existing = new Map((await db.selectFrom('conferences').selectAll().execute()).map((row) => [row.id, row]));
  const existingSeatTypes = new Map((await db.selectFrom('seat_types').selectAll().execute()).map((row) => [row.id, row]));
  const codes = new Set([...existing.values()].map((row) => `${row.owner_email_key}|${row.access_code}`));
  const result: ConferencesResult = { conferences: conferences.length, seatTypes: 0, created: 0, eventsWritten: 0, quotaCommands: 0, newAccessCodes: [] };

  const fresh: Target[] = [];
  for (const v1 of conferences) {
    result.seatTypes += v1.seatTypes.length;
    if (existing.has(v1.id)) continue;
    const slug = options.slugs.get(v1.id) ?? v1.slug;
    let accessCode = v1.accessCode === null ? '' : normalizeAccessCode(v1.accessCode);
    let reason: NewAccessCode['reason'] | undefined = accessCode === '' ? 'missing' : codes.has(`${emailKey(v1.ownerEmail)}|${accessCode}`) ? 'clash' : undefined;
    if (reason !== undefined) {
      do accessCode = newAccessCode();
      while (codes.has(`${emailKey(v1.ownerEmail)}|${accessCode}`));
      result.newAccessCodes.push({ conferenceId: v1.id, slug, ownerEmail: v1.ownerEmail, accessCode, reason });
    }
    codes.add(`${emailKey(v1.ownerEmail)}|${accessCode}`);
    fresh.push(target(v1, slug, accessCode));
  }

  // Generated events sit before the first V1 event, one second apart, in conference order.
  const plans = fresh.map((t) => ({ target: t, events: firstEvents(t) }));
  const times = syntheticTimes(options.firstEventTime, plans.reduce((n, p) => n + p.events.length, 0));
  let next = 0;
  for (const plan of plans) {
    const events = plan.events.map((event) => asGenerated(event, times[next++]));
    result.created++;
    if (options.dryRun) continue;
    // Seat types no V1 availability event mentions get their quota from the import (version 0),
    // sent once the V1 streams are copied (a quota applied earlier would take a V1 stream version).
    const quotas = plan.target.conference.wasEverPublished
      ? plan.target.seatTypes
          .filter((seatType) => !options.mentionedSeatTypes.has(seatType.id))
          .map((seatType) => quotaCommand({ conferenceId: seatType.conferenceId, seatType: seatType.id, quantity: seatType.quantity, quotaVersion: 0 }))
      : [];
    quotaCommands.push(...quotas);
    await store.transaction(async (tx) => {
      await insertConference(tx.db, plan.target, options.now);
      result.eventsWritten += (await store.append(tx, events)).length;
    });
  }

  for (const v1 of conferences) {
    const row = existing.get(v1.id);
    if (!row) continue;
    const changes = changedEvents(toConference(row), existingSeatTypes, v1, options.now);
    if (changes.events.length === 0 || options.dryRun) continue;
    // The seat-quota policy skips imported seat events: their quotas go to Registration from here,
    // unless V1's availability stream carries them.
    const quotas = changes.events
      .filter((event) => (event.type === 'SeatCreated' || event.type === 'SeatUpdated') && !options.mentionedSeatTypes.has(event.metadata.sourceId))
      .map((event) => {
        const { conferenceId, quantity } = event.data as { conferenceId: string; quantity: number };
        return quotaCommand({ conferenceId, seatType: event.metadata.sourceId, quantity, quotaVersion: event.metadata.version ?? 0 });
      });
    quotaCommands.push(...quotas);
    await store.transaction(async (tx) => {
      await changes.apply(tx.db);
      result.eventsWritten += (await store.append(tx, changes.events)).length;
    });
  }
  return { result, quotaCommands };
}

type Executor = Parameters<typeof managementDb>[0];

async function insertConference(executor: Executor, { conference, seatTypes }: Target, now: Date): Promise<void> {
  const db = managementDb(executor);
  const stamp = now.toISOString();
  await db.insertInto('conferences').values(conferenceRow(conference, stamp)).execute();
  for (const seatType of seatTypes) await db.insertInto('seat_types').values(seatTypeRow(seatType, stamp)).execute();
}

const DETAIL_FIELDS = ['name', 'tagline', 'description', 'location', 'twitterSearch', 'startDate', 'endDate'] as const;

/**
 * What Conference Management would have written for the changes of a V1 conference since it was
 * imported (DOMAIN 3.1), with the next per-source versions, and the row updates that go with them.
 */
function changedEvents(
  current: Conference,
  existingSeatTypes: Map<string, Selectable<SeatTypesTable>>,
  v1: V1Conference,
  now: Date,
): { events: Message[]; apply: (executor: Executor) => Promise<void> } {
  const stamp = now.toISOString();
  const events: Message[] = [];
  const updates: Array<(executor: Executor) => Promise<unknown>> = [];
  let conference = { ...current };
  const emit = (message: Message) => events.push(asGenerated(message, stamp, { rerun: true }));

  const wanted = target(v1, current.slug, current.accessCode).conference;
  if (DETAIL_FIELDS.some((field) => wanted[field] !== current[field])) {
    conference = { ...conference, ...Object.fromEntries(DETAIL_FIELDS.map((f) => [f, wanted[f]])), eventVersion: conference.eventVersion + 1 };
    emit(conferenceEvent('ConferenceUpdated', conference, conference.eventVersion, now));
  }

  const seatTypes: SeatType[] = [];
  let position = Math.max(-1, ...[...existingSeatTypes.values()].filter((r) => r.conference_id === v1.id).map((r) => r.position)) + 1;
  for (const v1SeatType of v1.seatTypes) {
    const row = existingSeatTypes.get(v1SeatType.id);
    const details = { name: v1SeatType.name, description: v1SeatType.description, quantity: v1SeatType.quantity, price: centsFromDollars(v1SeatType.price) };
    if (!row) {
      const seatType: SeatType = { id: v1SeatType.id, conferenceId: v1.id, position: position++, ...details, eventVersion: -1 };
      if (conference.wasEverPublished) {
        seatType.eventVersion = 0;
        emit(seatEvent('SeatCreated', seatType, 0, now));
      }
      updates.push((executor) => managementDb(executor).insertInto('seat_types').values(seatTypeRow(seatType, stamp)).execute());
      seatTypes.push(seatType);
      continue;
    }
    const seatType: SeatType = {
      id: row.id,
      conferenceId: row.conference_id,
      position: row.position,
      name: row.name,
      description: row.description,
      quantity: row.quantity,
      price: row.price,
      eventVersion: row.event_version,
    };
    if (details.name !== row.name || details.description !== row.description || details.quantity !== row.quantity || details.price !== row.price) {
      Object.assign(seatType, details);
      if (conference.wasEverPublished) {
        seatType.eventVersion++;
        emit(seatEvent(seatType.eventVersion === 0 ? 'SeatCreated' : 'SeatUpdated', seatType, seatType.eventVersion, now));
      }
      const next = { ...seatType };
      updates.push((executor) =>
        managementDb(executor)
          .updateTable('seat_types')
          .set({ ...details, event_version: next.eventVersion, updated_at: stamp })
          .where('id', '=', next.id)
          .execute(),
      );
    }
    seatTypes.push(seatType);
  }

  const publish = v1.isPublished && !conference.isPublished;
  const unpublish = !v1.isPublished && conference.isPublished;
  if (publish) {
    if (!conference.wasEverPublished) {
      for (const seatType of seatTypes.filter((s) => s.eventVersion < 0)) {
        seatType.eventVersion = 0;
        emit(seatEvent('SeatCreated', seatType, 0, now));
        const id = seatType.id;
        updates.push((executor) => managementDb(executor).updateTable('seat_types').set({ event_version: 0, updated_at: stamp }).where('id', '=', id).execute());
      }
    }
    conference = { ...conference, isPublished: true, wasEverPublished: true, eventVersion: conference.eventVersion + 1 };
    emit(conferenceEvent('ConferencePublished', conference, conference.eventVersion, now));
  } else if (unpublish) {
    conference = { ...conference, isPublished: false, eventVersion: conference.eventVersion + 1 };
    emit(conferenceEvent('ConferenceUnpublished', conference, conference.eventVersion, now));
  }

  const final = conference;
  return {
    events,
    apply: async (executor) => {
      for (const update of updates) await update(executor);
      if (final.eventVersion === current.eventVersion) return;
      const values: Partial<Selectable<ConferencesTable>> = {
        ...detailColumns(final),
        is_published: final.isPublished ? 1 : 0,
        was_ever_published: final.wasEverPublished ? 1 : 0,
        event_version: final.eventVersion,
        updated_at: stamp,
      };
      await managementDb(executor).updateTable('conferences').set(values).where('id', '=', final.id).execute();
    },
  };
}
