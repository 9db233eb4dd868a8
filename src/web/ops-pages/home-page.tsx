import type { DemoConference } from '../../app/demo-data.ts';
import { paths as managementPaths } from '../../contexts/conference-management/pages/paths.ts';
import { OpsLayout } from './layout.tsx';
import { MAINTENANCE_PAGE_PATH } from './maintenance-page.tsx';
import { logPaths } from './log-paths.ts';
import { opsPaths } from './paths.ts';

/**
 * The operator's start page: one entry per operator page (DOMAIN 7; more sections join this list as
 * they are built), and the demo conference's access code while it exists (DOMAIN 3.5).
 */
export function OpsHomePage({ csrf, demo }: { csrf: string; demo: DemoConference | undefined }) {
  return (
    <OpsLayout title="Operations" csrf={csrf}>
      <h1>Operations</h1>
      <ul>
        <li>
          <a href={opsPaths.emails}>E-mails</a>: every e-mail recorded, with its delivery state (DOMAIN 3.4).
        </li>
        <li>
          <a href={MAINTENANCE_PAGE_PATH}>Maintenance</a>: the public site, the management site and processing (DOMAIN 7.4).
        </li>
        <li>
          <a href={logPaths.messages}>Message log</a>: every command, event and operator action, filtered; a flow's{' '}
          <a href={logPaths.timeline}>timeline</a> by its correlation id (DOMAIN 7.1).
        </li>
        <li>
          <a href={logPaths.deadLetters}>Dead letters</a>: messages a handler failed on; retry or discard (DOMAIN 7.3).
        </li>
        <li>
          <a href={logPaths.timers}>Timers</a>: pending durable timers, earliest first.
        </li>
      </ul>
      {demo && (
        <section>
          <h2>Demo conference</h2>
          <p>
            <a href={`/${demo.slug}/`}>{demo.name}</a> is open for registration. To manage it, <a href={managementPaths.login}>log in</a> with{' '}
            <strong>{demo.ownerEmail}</strong> and the access code <strong class="access-code">{demo.accessCode}</strong>.
          </p>
        </section>
      )}
    </OpsLayout>
  );
}
