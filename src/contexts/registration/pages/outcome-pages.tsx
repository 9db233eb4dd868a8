import { ConferenceFrame, type ConferenceRef, NewOrderLinks } from './order-components.tsx';

/** DOMAIN 3.5 `waitPageRefreshSeconds`: how often a waiting page reloads itself. */
export const WAIT_PAGE_REFRESH_SECONDS = 5;

/** Expired (DOMAIN 6.1): whether the seats are already back on sale or only the hold time is over. */
export function ExpiredPage({ conference, released }: { conference: ConferenceRef; released: boolean }) {
  return (
    <ConferenceFrame conference={conference} title="Your order has expired">
      <h1>Your order has expired</h1>
      <p>{released ? 'The seats reserved for it have been released.' : 'The seats reserved for it will be released shortly.'}</p>
      <NewOrderLinks slug={conference.slug} />
    </ConferenceFrame>
  );
}

/** Completed (DOMAIN 6.1): shown in place when a confirmed order's seats or checkout are asked for. */
export function CompletedPage({ conference }: { conference: ConferenceRef }) {
  return (
    <ConferenceFrame conference={conference} title="Your order has been completed">
      <h1>Your order has been completed</h1>
      <NewOrderLinks slug={conference.slug} />
    </ConferenceFrame>
  );
}

/**
 * Shown in place when a read model has not caught up within the wait (DOMAIN 6.1): it reloads itself
 * (the route also sends a `Refresh` header), no script needed.
 */
export function WaitingPage({ conference, heading }: { conference: ConferenceRef; heading: string }) {
  return (
    <ConferenceFrame conference={conference} title={heading}>
      <meta http-equiv="refresh" content={String(WAIT_PAGE_REFRESH_SECONDS)} />
      <h1>{heading}</h1>
      <p>Please wait until the request is processed.</p>
      <p>
        The page will refresh automatically in 5 seconds. If this does not happen, please refresh the page by clicking
        the refresh button in your browser.
      </p>
    </ConferenceFrame>
  );
}

export const REGISTRATION_UNKNOWN = 'Cannot determine the state of the registration';
export const PAYMENT_UNKNOWN = 'Cannot determine the state of the payment';
