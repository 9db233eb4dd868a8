/**
 * Registration's queued commands (DOMAIN 3.2.1), sent by the process manager and the seat-quota
 * policy with `target` = the stream they address (order id or conference id). Each runs its
 * aggregate's decider with the values the decider needs besides the logged payload; a refusal is a
 * logged warning (no dead letter), any other failure is retried.
 */
import type { Kysely } from 'kysely';
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import type { MessageRegistry } from '../../platform/messages/registry.ts';
import { type CommandHandlerFn, decideAndAppend, loadAggregate, queuedCommandHandler } from '../../platform/processing/commands.ts';
import type { HandlerContext, MessageHandler } from '../../platform/processing/handler.ts';
import type { Logger } from '../../platform/processing/logger.ts';
import type { Store, Tx } from '../../platform/store/store.ts';
import type { CatalogueDatabase } from './catalogue/schema.ts';
import type { RegistrationCommandType } from './commands.ts';
import { orderAggregate } from './order.ts';
import type { SeatPrice } from './pricing.ts';
import { seatsAvailabilityAggregate } from './seats-availability.ts';

export const REGISTRATION_COMMANDS = 'registration-commands';

/** The unit prices Registration's catalogue knows for a conference, in seat-type creation order. */
export async function conferencePrices(tx: Tx, conferenceId: string): Promise<SeatPrice[]> {
  const db = tx.db as unknown as Kysely<CatalogueDatabase>;
  const rows = await db
    .selectFrom('reg_seat_types')
    .select(['id', 'price'])
    .where('conference_id', '=', conferenceId)
    .where('seat_type_version', '>=', 0)
    .where('price', 'is not', null)
    .orderBy('created_position')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ seatType: row.id, unitPrice: Number(row.price) }));
}

export function registrationCommandHandler(store: Store, registry: MessageRegistry, logger: Logger): MessageHandler {
  const target = (command: LoggedMessage) => command.metadata.target!;
  /** Runs the command against the Order stream it targets, with the decider's extra values. */
  const toOrder =
    (extra?: (command: LoggedMessage, handler: HandlerContext) => Promise<Record<string, unknown>>): CommandHandlerFn =>
    async (command, handler) => {
      const context = await extra?.(command, handler);
      await decideAndAppend(store, registry, handler.tx, orderAggregate, target(command), command, context);
    };
  /** Runs the command against the conference's SeatsAvailability stream it targets. */
  const toAvailability =
    (extra?: () => Record<string, unknown>): CommandHandlerFn =>
    async (command, { tx }) => {
      await decideAndAppend(store, registry, tx, seatsAvailabilityAggregate, target(command), command, extra?.());
    };

  /** Prices of the order's conference (none for an unknown order, which the decider refuses). */
  const orderPrices = async (command: LoggedMessage, { tx }: HandlerContext) => {
    const { state } = await loadAggregate(store, registry, orderAggregate, target(command), tx);
    return { prices: state.status === 'None' ? [] : await conferencePrices(tx, state.conferenceId) };
  };

  const handlers = {
    MakeSeatReservation: toAvailability(() => ({ now: new Date().toISOString() })),
    CommitSeatReservation: toAvailability(),
    CancelSeatReservation: toAvailability(),
    SetSeatTypeQuota: toAvailability(),
    MarkSeatsAsReserved: toOrder(orderPrices),
    RejectOrder: toOrder(),
    ConfirmOrder: toOrder(),
  } satisfies Partial<Record<RegistrationCommandType, CommandHandlerFn>>;
  return queuedCommandHandler(REGISTRATION_COMMANDS, handlers, logger);
}
