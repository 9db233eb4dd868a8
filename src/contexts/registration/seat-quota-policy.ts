/**
 * The seat-quota policy (DOMAIN 3.2.1 `SetSeatTypeQuota`): every `SeatCreated`/`SeatUpdated` of
 * Conference Management sets the seat type's absolute quota in the conference's SeatsAvailability.
 * The event's version goes with it, so the aggregate ignores quotas older than the one it applied,
 * whatever order they arrive in. The command id is derived from the event's id: a redelivered event
 * sends its command once.
 */
import { derivedId } from '../../platform/messages/ids.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import type { ConferenceEventType, SeatTypeSnapshot } from '../conference-management/contract.ts';
import type { SetSeatTypeQuota } from './commands.ts';

export const SEAT_QUOTA_POLICY = 'seat-quota-policy';

const QUOTA_COMMAND_NAMESPACE = '5d0cf2c4-3f0e-4c1b-9a57-0b8f2e1d7a60';

export const seatQuotaPolicy: MessageHandler = {
  name: SEAT_QUOTA_POLICY,
  types: ['SeatCreated', 'SeatUpdated'] satisfies ConferenceEventType[],
  sideEffects: true,
  async handle(message, context) {
    const { sourceId, version, messageId } = message.metadata;
    if (version === null) throw new Error(`${message.type} ${messageId} has no version`);
    const { conferenceId, quantity } = message.data as SeatTypeSnapshot;
    const command: SetSeatTypeQuota = { conferenceId, seatType: sourceId, quantity, quotaVersion: version };
    await context.send('SetSeatTypeQuota', command, { target: conferenceId, id: derivedId(QUOTA_COMMAND_NAMESPACE, messageId) });
  },
};
