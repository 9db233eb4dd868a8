/**
 * Step 8 of the import (DOMAIN 7.5): compares what was imported with the V1 store — conferences and
 * seat types with the conference-management tables, orders with their V1 streams — and checks per
 * seat type that the quota equals sold + held + remaining in the V1 data. Seat types found only in
 * availability streams (deleted in V1) are "ghosts", not differences.
 */
import type { Store } from '../../../platform/store/store.ts';
import { managementDb } from '../../conference-management/records.ts';
import { SEAT_PRICE, SEAT_QUANTITY } from '../../conference-management/rules.ts';
import type { V1History } from './history.ts';
import { centsFromDollars } from './money.ts';
import type { V1Conference } from './v1-store.ts';

export interface GhostSeatType {
  conferenceId: string;
  seatType: string;
  remaining: number;
}

export interface VerificationResult {
  differences: string[];
  ghostSeatTypes: GhostSeatType[];
  /** V1 values imported as they are although V2 would refuse them for a new write. */
  beyondV2Limits: string[];
}

export async function verifyImport(
  store: Store,
  conferences: V1Conference[],
  history: V1History,
  options: { slugs: ReadonlyMap<string, string>; dryRun: boolean },
): Promise<VerificationResult> {
  const result: VerificationResult = { differences: [], ghostSeatTypes: [], beyondV2Limits: [] };
  checkQuotas(conferences, history, result);
  checkLimits(conferences, result);
  if (!options.dryRun) {
    await checkConferences(store, conferences, options.slugs, result);
    await checkOrders(store, history, result);
  }
  return result;
}

function checkQuotas(conferences: V1Conference[], history: V1History, result: VerificationResult): void {
  const sold = new Map<string, number>();
  for (const order of history.orders.values()) {
    if (order.outcome !== 'Confirmed') continue;
    for (const [seatType, quantity] of order.pricedSeats) sold.set(seatType, (sold.get(seatType) ?? 0) + quantity);
  }
  const known = new Set(conferences.flatMap((c) => c.seatTypes.map((s) => s.id)));
  for (const conference of conferences) {
    const availability = history.availability.get(conference.id);
    if (!availability) continue;
    for (const seatType of conference.seatTypes) {
      if (!availability.remaining.has(seatType.id)) continue;
      let held = 0;
      for (const seats of availability.pending.values()) held += seats.get(seatType.id) ?? 0;
      const remaining = availability.remaining.get(seatType.id) ?? 0;
      const soldSeats = sold.get(seatType.id) ?? 0;
      if (soldSeats + held + remaining !== seatType.quantity) {
        result.differences.push(
          `seat type ${seatType.name} (${seatType.id}) of ${conference.slug}: quota ${seatType.quantity} ≠ sold ${soldSeats} + held ${held} + remaining ${remaining}`,
        );
      }
    }
  }
  for (const availability of history.availability.values()) {
    for (const [seatType, remaining] of availability.remaining) {
      if (!known.has(seatType)) result.ghostSeatTypes.push({ conferenceId: availability.conferenceId, seatType, remaining });
    }
  }
}

/** Seat types beyond V2's limits: their integration events would be refused by the consumers' schemas. */
function checkLimits(conferences: V1Conference[], result: VerificationResult): void {
  for (const conference of conferences) {
    for (const seatType of conference.seatTypes) {
      const price = centsFromDollars(seatType.price);
      if (price < SEAT_PRICE.min || price > SEAT_PRICE.max) result.beyondV2Limits.push(`seat type ${seatType.name} (${seatType.id}) of ${conference.slug}: price ${price} cents`);
      if (seatType.quantity < SEAT_QUANTITY.min || seatType.quantity > SEAT_QUANTITY.max) {
        result.beyondV2Limits.push(`seat type ${seatType.name} (${seatType.id}) of ${conference.slug}: quota ${seatType.quantity}`);
      }
    }
  }
}

async function checkConferences(store: Store, conferences: V1Conference[], slugs: ReadonlyMap<string, string>, result: VerificationResult): Promise<void> {
  const db = managementDb(store.db);
  const rows = new Map((await db.selectFrom('conferences').selectAll().execute()).map((row) => [row.id, row]));
  const seatRows = new Map((await db.selectFrom('seat_types').selectAll().execute()).map((row) => [row.id, row]));
  for (const conference of conferences) {
    const row = rows.get(conference.id);
    if (!row) {
      result.differences.push(`conference ${conference.slug} (${conference.id}) is missing`);
      continue;
    }
    const slug = slugs.get(conference.id) ?? conference.slug;
    const published = conference.wasEverPublished && conference.isPublished;
    if (row.slug !== slug) result.differences.push(`conference ${conference.id}: slug ${row.slug}, V1 ${slug}`);
    if (row.name !== conference.name) result.differences.push(`conference ${slug}: name "${row.name}", V1 "${conference.name}"`);
    if ((row.is_published === 1) !== published) result.differences.push(`conference ${slug}: published ${row.is_published === 1}, V1 ${published}`);
    for (const seatType of conference.seatTypes) {
      const seatRow = seatRows.get(seatType.id);
      if (!seatRow) {
        result.differences.push(`seat type ${seatType.name} (${seatType.id}) of ${slug} is missing`);
        continue;
      }
      const price = centsFromDollars(seatType.price);
      if (seatRow.price !== price) result.differences.push(`seat type ${seatType.name} of ${slug}: price ${seatRow.price} cents, V1 ${price}`);
      if (seatRow.quantity !== seatType.quantity) result.differences.push(`seat type ${seatType.name} of ${slug}: quota ${seatRow.quantity}, V1 ${seatType.quantity}`);
    }
  }
}

async function checkOrders(store: Store, history: V1History, result: VerificationResult): Promise<void> {
  const orders = [...history.orders.values()];
  let confirmedV1 = 0;
  let confirmedV2 = 0;
  for (let start = 0; start < orders.length; start += 500) {
    const slice = orders.slice(start, start + 500);
    const ids = slice.map((o) => o.orderId);
    const versions = new Map(
      (
        await store.db
          .selectFrom('messages')
          .select(['source_id'])
          .select((eb) => eb.fn.max('version').as('version'))
          .where('source_type', '=', 'Order')
          .where('source_id', 'in', ids)
          .groupBy('source_id')
          .execute()
      ).map((row) => [row.source_id, Number(row.version)]),
    );
    const confirmed = new Set(
      (
        await store.db
          .selectFrom('messages')
          .select('source_id')
          .where('source_type', '=', 'Order')
          .where('source_id', 'in', ids)
          .where('type', 'in', ['OrderConfirmed', 'OrderPaymentConfirmed'])
          .execute()
      ).map((row) => row.source_id),
    );
    for (const order of slice) {
      const version = versions.get(order.orderId);
      if (version === undefined) result.differences.push(`order ${order.orderId} is missing`);
      else if (version < order.lastVersion) result.differences.push(`order ${order.orderId}: stream at version ${version}, V1 at ${order.lastVersion}`);
      if (order.outcome === 'Confirmed') {
        confirmedV1++;
        if (confirmed.has(order.orderId)) confirmedV2++;
      }
    }
  }
  if (confirmedV1 !== confirmedV2) result.differences.push(`${confirmedV1} confirmed orders in V1, ${confirmedV2} of them confirmed in V2`);
}
