/**
 * `SetSeatTypeQuota` for the seat types whose quota the import must bring to Registration itself
 * (DOMAIN 7.5 step 5): the seat-quota policy skips the imported `SeatCreated`/`SeatUpdated`. Its id
 * is derived from the seat type and quota version, so a re-run sends it once.
 */
import type { Message } from '../../../platform/messages/envelope.ts';
import { newCommand } from '../../../platform/messages/factory.ts';
import { derivedId } from '../../../platform/messages/ids.ts';
import type { SetSeatTypeQuota } from '../../registration/commands.ts';

const IMPORT_QUOTA_NAMESPACE = '0c7f6a0e-55a4-4c55-8d51-7f3e2b9d9e11';

export function quotaCommand(quota: SetSeatTypeQuota): Message {
  return newCommand('SetSeatTypeQuota', quota, {
    target: quota.conferenceId,
    id: derivedId(IMPORT_QUOTA_NAMESPACE, `${quota.seatType}_${quota.quotaVersion}`),
    origin: { correlationId: quota.conferenceId, causationId: null },
  });
}
