import type { Message } from '../../platform/messages/envelope.ts';
import { newEvent, originFromRequest } from '../../platform/messages/factory.ts';
import {
  CONFERENCE_SOURCE,
  type ConferenceEventType,
  type ConferenceSnapshot,
  SEAT_TYPE_SOURCE,
  type SeatTypeSnapshot,
} from './contract.ts';
import type { Conference, SeatType } from './records.ts';

/**
 * The outbox entries of Conference Management's changes (DOMAIN 3.1). Each conference and each seat
 * type is a source versioned from 0; the correlation is the conference; nothing causes them but the
 * owner's request.
 */

export function conferenceSnapshot(conference: Conference): ConferenceSnapshot {
  return {
    name: conference.name,
    description: conference.description,
    location: conference.location,
    slug: conference.slug,
    tagline: conference.tagline,
    twitterSearch: conference.twitterSearch,
    startDate: conference.startDate,
    endDate: conference.endDate,
    owner: { name: conference.ownerName, email: conference.ownerEmail },
    reservationHoldMinutes: conference.reservationHoldMinutes,
  };
}

export function seatTypeSnapshot(seatType: SeatType): SeatTypeSnapshot {
  return {
    conferenceId: seatType.conferenceId,
    name: seatType.name,
    description: seatType.description,
    price: seatType.price,
    quantity: seatType.quantity,
  };
}

type ConferenceEvent = Extract<ConferenceEventType, `Conference${string}`>;
type SeatEvent = Extract<ConferenceEventType, `Seat${string}`>;

/** A conference event at `version`: Created and Updated carry the snapshot, the others nothing. */
export function conferenceEvent(type: ConferenceEvent, conference: Conference, version: number, now: Date): Message {
  const data = type === 'ConferenceCreated' || type === 'ConferenceUpdated' ? conferenceSnapshot(conference) : {};
  return newEvent(type, data, {
    sourceType: CONFERENCE_SOURCE,
    sourceId: conference.id,
    version,
    origin: originFromRequest(conference.id),
    createdAt: now,
  });
}

export function seatEvent(type: SeatEvent, seatType: SeatType, version: number, now: Date): Message {
  return newEvent(type, seatTypeSnapshot(seatType), {
    sourceType: SEAT_TYPE_SOURCE,
    sourceId: seatType.id,
    version,
    origin: originFromRequest(seatType.conferenceId),
    createdAt: now,
  });
}
