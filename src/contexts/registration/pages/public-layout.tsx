import type { ComponentChildren } from 'preact';
import { Layout } from '../../../web/pages/layout.tsx';

export interface PublicLayoutProps {
  title: string;
  /** Links shown after "All Events" (e.g. "Locate Registration" on a conference's pages). */
  links?: ComponentChildren;
  children: ComponentChildren;
}

/** The public site's frame (DOMAIN 6.1): the top bar links to the list of conferences. */
export function PublicLayout({ title, links, children }: PublicLayoutProps) {
  return (
    <Layout
      title={title}
      nav={
        <>
          <a href="/">All Events</a>
          {links}
        </>
      }
    >
      {/* A stylesheet link is allowed in the body; the shared layout's head carries the site's own. */}
      <link rel="stylesheet" href="/assets/registration.css" />
      {children}
    </Layout>
  );
}

/** Path of a conference's public pages: `/{slug}` (append `/`, `/register`, …). */
export function conferencePath(slug: string): string {
  return `/${encodeURIComponent(slug)}`;
}
