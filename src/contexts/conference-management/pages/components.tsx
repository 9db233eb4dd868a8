import type { ComponentChildren } from 'preact';
import { PostButton } from '../../../web/pages/forms.tsx';
import { Layout } from '../../../web/pages/layout.tsx';
import type { Conference } from '../records.ts';
import { paths } from './paths.ts';

export { Alert, CsrfField, Field, FieldError, PostButton } from '../../../web/pages/forms.tsx';

/** What every management page needs about the visitor. */
export interface Visitor {
  /** The CSRF token every form of the page carries. */
  csrf: string;
  /** Whether the session holds a conference (then "Log out" is offered). */
  signedIn: boolean;
  /** The owner of the conference the page is about, shown top-right. */
  ownerName?: string;
}

/** The management site's frame: the owner's name and "Log out" top-right. */
export function ManagementLayout({ title, visitor, children }: { title: string; visitor: Visitor; children: ComponentChildren }) {
  const nav = visitor.signedIn && (
    <>
      {visitor.ownerName && <span class="owner">{visitor.ownerName}</span>}
      <PostButton action={paths.logout} csrf={visitor.csrf} label="Log out" class="inline logout" />
    </>
  );
  return (
    <Layout title={title} nav={nav}>
      {/* A stylesheet link is allowed in the body; the shared layout's head carries the site's own. */}
      <link rel="stylesheet" href={paths.stylesheet} />
      {children}
    </Layout>
  );
}

type ConferenceSection = 'details' | 'seats' | 'orders' | 'dashboard';

const MENU: [ConferenceSection, string][] = [
  ['details', 'Conference details'],
  ['seats', 'Seat types'],
  ['orders', 'Registrations'],
  ['dashboard', 'Dashboard'],
];

/** A page about one conference: the frame, the conference menu and the page heading. */
export function ConferenceLayout(props: {
  conference: Conference;
  csrf: string;
  section: ConferenceSection;
  heading: string;
  children: ComponentChildren;
}) {
  const { conference, csrf, section, heading, children } = props;
  const links = paths.conference(conference.slug);
  return (
    <ManagementLayout title={`${heading}: ${conference.name}`} visitor={{ csrf, signedIn: true, ownerName: conference.ownerName }}>
      <nav class="conference-menu" aria-label="Conference">
        {MENU.map(([key, label]) => (
          <a key={key} href={links[key]} aria-current={key === section ? 'page' : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <p class="muted conference-name">{conference.name}</p>
      <h1>{heading}</h1>
      {children}
    </ManagementLayout>
  );
}

/** A value shown, not editable, in a form (owner, slug, access code on the edit page). */
export function ReadOnlyField({ label, value }: { label: string; value: string }) {
  return (
    <div class="field read-only">
      <span class="label">{label}</span>
      <span class="value">{value}</span>
    </div>
  );
}
