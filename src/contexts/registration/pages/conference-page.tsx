import { formatDateRange, formatMoney } from '../../../web/pages/format.ts';
import type { ConferenceDetails, SeatTypeOffer } from '../catalogue/queries.ts';
import { PublicLayout, conferencePath } from './public-layout.tsx';

/** Shown when the owner gave no Twitter search (DOMAIN 3.1). */
export const DEFAULT_TWITTER_SEARCH = '#cqrsjourney';

/** A plain link to the search: no embedded widget, no third-party script (DOMAIN 6.1). */
function twitterSearchUrl(search: string): string {
  return `https://twitter.com/search?q=${encodeURIComponent(search)}`;
}

export interface ConferencePageProps {
  conference: ConferenceDetails;
  seatTypes: SeatTypeOffer[];
}

/** The conference page (DOMAIN 6.1): what, when, where, the seats on sale and the way to register. */
export function ConferencePage({ conference, seatTypes }: ConferencePageProps) {
  const path = conferencePath(conference.slug);
  const twitterSearch = conference.twitterSearch || DEFAULT_TWITTER_SEARCH;
  return (
    <PublicLayout title={conference.name} links={<a href={`${path}/order/find`}>Locate Registration</a>}>
      <hgroup class="conference-title">
        <h1>{conference.name}</h1>
        {conference.tagline && <p class="tagline">{conference.tagline}</p>}
      </hgroup>
      <p class="when-where">
        <span class="dates">{formatDateRange(conference.startDate, conference.endDate)}</span> ·{' '}
        <span class="location">{conference.location}</span>
      </p>
      <p class="description multiline">{conference.description}</p>

      <div class="tiles">
        <section class="tile">
          <h2>Register</h2>
          <p>Choose your seats and register in a few steps.</p>
          <a class="button" href={`${path}/register`}>
            Register now
          </a>
        </section>
        <section class="tile">
          <h2>Twitter</h2>
          <p>
            <a href={twitterSearchUrl(twitterSearch)}>{twitterSearch}</a> on Twitter
          </p>
        </section>
      </div>

      <h2>Event tickets</h2>
      {seatTypes.length === 0 ? (
        <p class="muted">No seats are on sale yet.</p>
      ) : (
        <table class="seat-types">
          <thead>
            <tr>
              <th>Registration type</th>
              <th class="number">Price</th>
              <th class="number">Available</th>
            </tr>
          </thead>
          <tbody>
            {seatTypes.map((seatType) => (
              <tr key={seatType.id}>
                <td>
                  {seatType.name}
                  <br />
                  <span class="muted">{seatType.description}</span>
                </td>
                <td class="number">{formatMoney(seatType.price)}</td>
                <td class="number">{seatType.available > 0 ? seatType.available : 'Sold out'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </PublicLayout>
  );
}
