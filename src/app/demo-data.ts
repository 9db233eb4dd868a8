/**
 * The demo conference (DOMAIN 3.5): something to register for on a fresh installation. It is made
 * with Conference Management's own operations, as an owner would make it, so its integration
 * events are in the log and every other context learns of it the normal way.
 */
import type { Settings } from '../config.ts';
import { Conferences } from '../contexts/conference-management/conferences.ts';
import { conferenceBySlug, managementDb } from '../contexts/conference-management/records.ts';
import { SeatTypes } from '../contexts/conference-management/seat-types.ts';
import type { Executor } from '../platform/store/dialect.ts';
import { ConflictError } from '../platform/store/errors.ts';
import type { Store } from '../platform/store/store.ts';

export const DEMO_SLUG = 'demo';
export const DEMO_OWNER_EMAIL = 'owner@demo.example';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The demo conference's seat types, in the order they are added; prices in cents. */
const DEMO_SEAT_TYPES = [
  { name: 'General admission', description: 'All talks on all three days.', price: 19_900, quantity: 100 },
  { name: 'Workshop', description: 'A hands-on day with the speakers, talks included.', price: 50_000, quantity: 20 },
  { name: 'Community pass', description: 'Free for members of local user groups.', price: 0, quantity: 50 },
];

/** What the operator needs to show the demo conference to someone: where it is and how to manage it. */
export interface DemoConference {
  name: string;
  slug: string;
  ownerEmail: string;
  accessCode: string;
}

/** `YYYY-MM-DD`, `days` after `now` (UTC). */
function dateAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/**
 * Creates and publishes the demo conference when the store has no conference at all and demo data
 * is on (`DEMO_DATA`, default on). Answers whether it did. Safe to run at every start and from
 * several processes at once: a store with a conference is left alone, and of two processes
 * seeding an empty store, the one that loses the race for the slug does nothing.
 */
export async function seedDemoConference(store: Store, settings: Pick<Settings, 'publicUrl' | 'demoData'>, clock = () => new Date()): Promise<boolean> {
  if (!settings.demoData) return false;
  const any = await managementDb(store.db).selectFrom('conferences').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  const now = clock();
  const conferences = new Conferences({ store, publicUrl: settings.publicUrl, clock });
  let created;
  try {
    created = await conferences.create({
      name: 'Contoso Demo Conference',
      slug: DEMO_SLUG,
      ownerName: 'Demo Owner',
      ownerEmail: DEMO_OWNER_EMAIL,
      tagline: 'Try registration from seat selection to seat assignment',
      description: 'A conference to try the site with: choose seats, pay with the simulated processor, then assign the seats to attendees.',
      location: 'Contoso Conference Center, Redmond, WA',
      twitterSearch: null,
      startDate: dateAfter(now, 30),
      endDate: dateAfter(now, 32),
      reservationHoldMinutes: 15,
    });
  } catch (error) {
    if (error instanceof ConflictError) return false;
    throw error;
  }
  const seatTypes = new SeatTypes({ store, clock });
  for (const seatType of DEMO_SEAT_TYPES) await seatTypes.add(created.id, seatType);
  await conferences.publish(created.id);
  return true;
}

/** The demo conference with its owner access code, if it exists (Conference Management's own record). */
export async function demoConference(executor: Executor): Promise<DemoConference | undefined> {
  const conference = await conferenceBySlug(executor, DEMO_SLUG);
  // A conference someone else named `demo` is not the demo: its access code is not ours to show.
  if (!conference || conference.ownerEmail !== DEMO_OWNER_EMAIL) return undefined;
  return { name: conference.name, slug: conference.slug, ownerEmail: conference.ownerEmail, accessCode: conference.accessCode };
}
