import { OpsLayout } from './layout.tsx';
import { opsPaths } from './paths.ts';

/** The operator's start page: one entry per operator page (DOMAIN 7; more sections join this list as they are built). */
export function OpsHomePage({ csrf }: { csrf: string }) {
  return (
    <OpsLayout title="Operations" csrf={csrf}>
      <h1>Operations</h1>
      <ul>
        <li>
          <a href={opsPaths.emails}>E-mails</a>: every e-mail recorded, with its delivery state (DOMAIN 3.4).
        </li>
      </ul>
    </OpsLayout>
  );
}
