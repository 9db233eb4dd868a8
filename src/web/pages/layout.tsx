import type { ComponentChildren } from 'preact';

/** Site name shown in every page's top bar (DOMAIN 6.1). */
export const SITE_NAME = 'Contoso Conference Management System';

/**
 * htmx under our Content-Security-Policy: no injected `<style>` element, no `eval`.
 * (Scripts come only from our origin; see `site.ts`.)
 */
const HTMX_CONFIG = JSON.stringify({ includeIndicatorStyles: false, allowEval: false });

export interface LayoutProps {
  /** The page's own title; the document title adds the site name. */
  title: string;
  /** Links of the top bar (each site has its own). */
  nav?: ComponentChildren;
  children: ComponentChildren;
}

/** The frame of every page of every site: top bar, main content, sample-application footer. */
export function Layout({ title, nav, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="htmx-config" content={HTMX_CONFIG} />
        <title>{`${title} – ${SITE_NAME}`}</title>
        {/* No icon: browsers then ask for none. */}
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href="/assets/site.css" />
        <script src="/assets/htmx.min.js" defer />
      </head>
      <body>
        <header class="top-bar">
          <span class="brand">{SITE_NAME}</span>
          {nav && <nav>{nav}</nav>}
        </header>
        <main>{children}</main>
        <footer class="disclaimer">
          This is a sample application. It is not a real conference service: please do not enter real personal or
          payment details.
        </footer>
      </body>
    </html>
  );
}
