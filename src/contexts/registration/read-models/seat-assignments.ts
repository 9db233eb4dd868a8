import type { LoggedMessage } from '../../../platform/messages/envelope.ts';
import type { HandlerContext, MessageHandler } from '../../../platform/processing/handler.ts';
import { eventsToApply, versionOf } from '../../../platform/processing/in-order.ts';
import type { MessagesOf } from '../../shared/typed-messages.ts';
import { type SeatAssignmentsEventType, SeatAssignmentsEvents } from '../contract.ts';
import type { RegistrationReadModelDb } from './schema.ts';

export const SEAT_ASSIGNMENTS_PROJECTION = 'seat-assignments';

type AssignmentsEvent = MessagesOf<typeof SeatAssignmentsEvents>;

/**
 * Order seat assignments (DOMAIN 5.2): the slots of each SeatAssignments stream and who holds them,
 * applied in version order (P1, P2).
 */
export const seatAssignmentsProjection: MessageHandler = {
  name: SEAT_ASSIGNMENTS_PROJECTION,
  types: Object.keys(SeatAssignmentsEvents) as SeatAssignmentsEventType[],
  sideEffects: false,
  async handle(message: LoggedMessage, context: HandlerContext) {
    const db = context.tx.db as unknown as RegistrationReadModelDb;
    const assignmentsId = message.metadata.sourceId;
    const applied = await db.selectFrom('reg_seat_assignments').select('version').where('assignments_id', '=', assignmentsId).executeTakeFirst();
    const events = await eventsToApply(context, applied?.version ?? -1);
    if (events.length === 0) return;
    for (const event of events) await apply(db, assignmentsId, event);
    await db.updateTable('reg_seat_assignments').set({ version: versionOf(message) }).where('assignments_id', '=', assignmentsId).execute();
    context.tx.topics.add('read_models');
  },
};

async function apply(db: RegistrationReadModelDb, assignmentsId: string, message: LoggedMessage): Promise<void> {
  const event = message as unknown as AssignmentsEvent;
  if (event.type === 'SeatAssignmentsCreated') {
    const { orderId, conferenceId, seats } = event.data;
    await db.insertInto('reg_seat_assignments').values({ assignments_id: assignmentsId, order_id: orderId, conference_id: conferenceId, version: versionOf(message) }).execute();
    if (seats.length > 0) {
      await db
        .insertInto('reg_assigned_seats')
        .values(seats.map(({ position, seatType }) => ({ assignments_id: assignmentsId, position, seat_type: seatType })))
        .execute();
    }
    return;
  }
  const slot = (position: number) => db.updateTable('reg_assigned_seats').where('assignments_id', '=', assignmentsId).where('position', '=', position);
  switch (event.type) {
    case 'SeatAssigned': {
      const { position, seatType, attendee } = event.data;
      await slot(position).set({ seat_type: seatType, first_name: attendee.firstName, last_name: attendee.lastName, email: attendee.email }).execute();
      break;
    }
    case 'SeatAssignmentUpdated': {
      const { position, attendee } = event.data;
      await slot(position).set({ first_name: attendee.firstName, last_name: attendee.lastName }).execute();
      break;
    }
    case 'SeatUnassigned':
      await slot(event.data.position).set({ first_name: null, last_name: null, email: null }).execute();
      break;
  }
}
