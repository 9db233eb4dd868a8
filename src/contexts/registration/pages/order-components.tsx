import type { ComponentChildren } from 'preact';
import { formatMoney } from '../../../web/pages/format.ts';
import { durationText } from './duration.ts';
import { registrationPaths } from './paths.ts';
import { PublicLayout } from './public-layout.tsx';

/** What the pages of a conference show of it. */
export interface ConferenceRef {
  slug: string;
  name: string;
}

/** A page about one conference: the frame, "Locate Registration" top-right, the conference's name. */
export function ConferenceFrame({ conference, title, children }: { conference: ConferenceRef; title: string; children: ComponentChildren }) {
  const paths = registrationPaths(conference.slug);
  return (
    <PublicLayout title={`${title}: ${conference.name}`} links={<a href={paths.locate}>Locate Registration</a>}>
      <p class="conference-name">
        <a href={paths.conference}>{conference.name}</a>
      </p>
      {children}
    </PublicLayout>
  );
}

/** A priced line of an order (DOMAIN 5.2 "Priced order"). */
export interface SeatLine {
  description: string;
  unitPrice: number;
  quantity: number;
  lineTotal: number;
}

/** The seats of an order with their prices and the total. */
export function SeatLines({ lines, total }: { lines: SeatLine[]; total: number }) {
  return (
    <table class="seat-lines">
      <thead>
        <tr>
          <th>Registration type</th>
          <th class="number">Price</th>
          <th class="number">Quantity</th>
          <th class="number">Total</th>
        </tr>
      </thead>
      <tbody>
        {lines.map((line, index) => (
          <tr key={index}>
            <td>{line.description}</td>
            <td class="number">{formatMoney(line.unitPrice)}</td>
            <td class="number">{line.quantity}</td>
            <td class="number">{formatMoney(line.lineTotal)}</td>
          </tr>
        ))}
      </tbody>
      <tfoot>
        <tr>
          <th colSpan={3} class="number">
            Total:
          </th>
          <td class="number total">{formatMoney(total)}</td>
        </tr>
      </tfoot>
    </table>
  );
}

export interface CountdownProps {
  /** Seconds left of the hold, computed by the server (the client's clock does not matter). */
  remainingSeconds: number;
  /** The order's own hold: `ReservationAutoExpiration` − `OrderPlaced` time. */
  holdSeconds: number;
  /** Where the browser goes when the time is up. */
  expiredHref: string;
}

/**
 * The countdown box (DOMAIN 6.1). Without JavaScript it shows the time left when the page was made;
 * `assets/countdown.js` ticks it every second and opens the expired page at zero.
 */
export function CountdownBox({ remainingSeconds, holdSeconds, expiredHref }: CountdownProps) {
  const hold = durationText(holdSeconds);
  return (
    <aside class="countdown" data-remaining={String(Math.max(0, Math.floor(remainingSeconds)))} data-expired-href={expiredHref}>
      <p class="countdown-time" role="timer">
        {durationText(remainingSeconds)}
      </p>
      <p>
        Please complete registration within {hold} minutes. After {hold} minutes, the reservation we're holding will be
        released to others.
      </p>
      <script src="/assets/countdown.js" defer />
    </aside>
  );
}

/** "start a new order" and "conference home page" (expired and completed pages). */
export function NewOrderLinks({ slug }: { slug: string }) {
  const paths = registrationPaths(slug);
  return (
    <p class="actions">
      <a href={paths.register}>start a new order</a>
      <a href={paths.conference}>conference home page</a>
    </p>
  );
}
