import { formatDateRange } from '../../../web/pages/format.ts';
import type { ConferenceSummary } from '../catalogue/queries.ts';
import { PublicLayout, conferencePath } from './public-layout.tsx';

/** Home (DOMAIN 6.1): links to the published conferences. */
export function HomePage({ conferences }: { conferences: ConferenceSummary[] }) {
  return (
    <PublicLayout title="List of conferences">
      <h1>List of conferences</h1>
      <p>Go to the specific conference page:</p>
      {conferences.length === 0 ? (
        <p class="muted">No conference is open for registration yet.</p>
      ) : (
        <ul class="conferences">
          {conferences.map((conference) => (
            <li key={conference.id}>
              <a href={`${conferencePath(conference.slug)}/`}>{conference.name}</a>{' '}
              <span class="muted">
                {formatDateRange(conference.startDate, conference.endDate)} · {conference.location}
              </span>
            </li>
          ))}
        </ul>
      )}
    </PublicLayout>
  );
}
