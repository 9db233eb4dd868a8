import type { Static } from 'typebox';
import { formatMoney } from '../../../web/pages/format.ts';
import type { OrdersPage as OrdersAnswer } from '../api-shapes.ts';
import type { Conference } from '../records.ts';
import { ConferenceLayout } from './components.tsx';
import { paths } from './paths.ts';

/** An order of the Orders & attendees read model (DOMAIN 5.3), as the management API answers it. */
export type ManagementOrder = Static<typeof OrdersAnswer>['orders'][number];

/** "Pending" / "Paid", or "Free" for a confirmed order that cost nothing; "Expired". */
function statusLabel(order: ManagementOrder): string {
  if (order.status === 'paid') return order.isFreeOfCharge ? 'Free' : 'Paid';
  return order.status === 'pending' ? 'Pending' : 'Expired';
}

function OrderRow({ order }: { order: ManagementOrder }) {
  const assigned = order.seats.filter((seat) => seat.attendee !== null);
  return (
    <tr>
      <td class="access-code">{order.accessCode}</td>
      <td>{statusLabel(order)}</td>
      <td class="number">
        {formatMoney(order.total)}
        {order.refundedAmount > 0 && <span class="refunded">{`Refunded ${formatMoney(order.refundedAmount)}`}</span>}
      </td>
      <td>{order.registrant ? `${order.registrant.lastName}, ${order.registrant.firstName}` : ''}</td>
      <td>{order.registrant?.email ?? ''}</td>
      <td>
        {assigned.map(({ position, seatTypeName, attendee }) => (
          <div key={position}>{`${seatTypeName}: ${attendee!.lastName} ${attendee!.firstName}, ${attendee!.email}`}</div>
        ))}
      </td>
    </tr>
  );
}

interface OrdersPageProps {
  conference: Conference;
  csrf: string;
  /** One page of orders (at most 50), newest first. */
  orders: ManagementOrder[];
  showExpired: boolean;
  /** The cursor of the next page; null on the last. */
  next: string | null;
}

/** Orders & Attendees (DOMAIN 6.2, menu "Registrations"). */
export function OrdersPage({ conference, csrf, orders, showExpired, next }: OrdersPageProps) {
  const links = paths.conference(conference.slug);
  const nextPage = next && `${links.orders}?${new URLSearchParams({ ...(showExpired ? { expired: '1' } : {}), after: next })}`;
  return (
    <ConferenceLayout conference={conference} csrf={csrf} section="orders" heading="Orders & Attendees">
      <form method="get" action={links.orders} class="filters">
        <label>
          <input type="checkbox" name="expired" value="1" checked={showExpired} /> Show expired orders
        </label>{' '}
        <button type="submit" class="button secondary">
          Apply
        </button>
      </form>
      <table class="orders">
        <thead>
          <tr>
            <th>Order Code</th>
            <th>Status</th>
            <th class="number">Total Amount</th>
            <th>Registrant Name</th>
            <th>Registrant Email</th>
            <th>Attendees</th>
          </tr>
        </thead>
        <tbody>
          {orders.length === 0 ? (
            <tr>
              <td colspan={6} class="muted">
                No orders yet.
              </td>
            </tr>
          ) : (
            orders.map((order) => <OrderRow key={order.orderId} order={order} />)
          )}
        </tbody>
      </table>
      {nextPage && (
        <a class="button secondary" href={nextPage}>
          Next page
        </a>
      )}
    </ConferenceLayout>
  );
}
