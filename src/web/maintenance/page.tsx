import { Layout } from '../pages/layout.tsx';

/** DOMAIN 6.1 "Maintenance": the page every page of a site in maintenance answers, with 503. */
export const MAINTENANCE_TITLE = 'Temporarily unavailable';
export const MAINTENANCE_TEXT = "The system is undergoing maintenance. This shouldn't take long. Please come back in a few minutes.";

/** Public and management sites alike; no links, since every page of the site is closed. */
export function MaintenancePage() {
  return (
    <Layout title={MAINTENANCE_TITLE}>
      <h1>{MAINTENANCE_TITLE}</h1>
      <p>{MAINTENANCE_TEXT}</p>
    </Layout>
  );
}
