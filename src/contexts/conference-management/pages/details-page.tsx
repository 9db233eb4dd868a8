import type { ComponentChildren } from 'preact';
import type { Conference } from '../records.ts';
import { Alert, ConferenceLayout, PostButton } from './components.tsx';
import { formatManagementDate } from './display.ts';
import { paths } from './paths.ts';

function Item({ label, children, class: className }: { label: string; children: ComponentChildren; class?: string }) {
  return (
    <>
      <dt>{label}</dt>
      <dd class={className}>{children}</dd>
    </>
  );
}

interface DetailsPageProps {
  conference: Conference;
  csrf: string;
  /** Why the last action was refused (publishing without seat types). */
  message?: string;
}

/** Conference details (DOMAIN 6.2): everything about the conference, its access code included. */
export function DetailsPage({ conference, csrf, message }: DetailsPageProps) {
  const links = paths.conference(conference.slug);
  return (
    <ConferenceLayout conference={conference} csrf={csrf} section="details" heading="Conference details">
      <Alert message={message} />
      <h2>Owner information</h2>
      <dl class="details">
        <Item label="Name">{conference.ownerName}</Item>
        <Item label="Email address">{conference.ownerEmail}</Item>
        <Item label="Access Code" class="access-code">
          {conference.accessCode}
        </Item>
      </dl>
      <h2>Conference information</h2>
      <dl class="details">
        <Item label="Title">{conference.name}</Item>
        <Item label="Tagline">{conference.tagline ?? ''}</Item>
        <Item label="Slug/conference code">{conference.slug}</Item>
        <Item label="Location">{conference.location}</Item>
        <Item label="Twitter search">{conference.twitterSearch ?? ''}</Item>
        <Item label="Description" class="multiline">
          {conference.description}
        </Item>
        <Item label="Start date">{formatManagementDate(conference.startDate)}</Item>
        <Item label="End date">{formatManagementDate(conference.endDate)}</Item>
        <Item label="Reservation hold">{`${conference.reservationHoldMinutes} minutes`}</Item>
        <Item label="Status" class="status">
          {conference.isPublished ? 'Published' : 'Not published'}
        </Item>
      </dl>
      <div class="actions">
        <a class="button" href={links.edit}>
          Edit
        </a>
        {conference.isPublished ? (
          <PostButton action={links.unpublish} csrf={csrf} label="Unpublish" />
        ) : (
          <PostButton action={links.publish} csrf={csrf} label="Publish" />
        )}
        <a class="button" href={links.seats}>
          Configure seats
        </a>
      </div>
    </ConferenceLayout>
  );
}
