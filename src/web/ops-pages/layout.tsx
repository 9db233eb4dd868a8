import type { ComponentChildren } from 'preact';
import { PostButton } from '../pages/forms.tsx';
import { Layout } from '../pages/layout.tsx';
import { logPaths } from './log-paths.ts';
import { MAINTENANCE_PAGE_PATH } from './maintenance-page.tsx';
import { opsPaths } from './paths.ts';
import { READ_MODELS_PAGE_PATH } from './read-models-page.tsx';

/**
 * The operator pages' frame. Signed in (`csrf` given), the top bar links the operator pages and
 * offers "Log out".
 */
export function OpsLayout({ title, csrf, children }: { title: string; csrf?: string; children: ComponentChildren }) {
  const nav = csrf !== undefined && (
    <>
      <a href={opsPaths.home}>Operations</a>
      <a href={opsPaths.emails}>E-mails</a>
      <a href={logPaths.messages}>Messages</a>
      <a href={logPaths.deadLetters}>Dead letters</a>
      <a href={logPaths.timers}>Timers</a>
      <a href={READ_MODELS_PAGE_PATH}>Read models</a>
      <a href={MAINTENANCE_PAGE_PATH}>Maintenance</a>
      <PostButton action={opsPaths.logout} csrf={csrf} label="Log out" class="inline logout" />
    </>
  );
  return (
    <Layout title={title} nav={nav}>
      {children}
    </Layout>
  );
}
