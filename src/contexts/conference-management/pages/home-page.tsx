import { ManagementLayout, type Visitor } from './components.tsx';
import { paths } from './paths.ts';

const PORTAL_TITLE = 'Contoso Conference Management Portal';

/** Home (DOMAIN 6.2): the ways in. */
export function HomePage({ visitor }: { visitor: Visitor }) {
  return (
    <ManagementLayout title={PORTAL_TITLE} visitor={visitor}>
      <h1>{PORTAL_TITLE}</h1>
      <p class="actions">
        <a class="button" href={paths.login}>
          Log in
        </a>
        <a class="button" href={paths.create}>
          Create Conference
        </a>
      </p>
    </ManagementLayout>
  );
}
