import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import type { Conference } from '../records.ts';
import { type ManagementOrder, OrdersPage } from './orders-page.tsx';

const conference = { slug: 'cqrs', name: 'CQRS Summit', ownerName: 'Olivia Owner' } as Conference;
const person = (firstName: string, lastName: string) => ({ firstName, lastName, email: `${firstName.toLowerCase()}@example.com` });

function order(overrides: Partial<ManagementOrder>): ManagementOrder {
  return {
    orderId: 'o1',
    accessCode: 'ABC123',
    status: 'paid',
    total: 119_700,
    refundedAmount: 0,
    isFreeOfCharge: false,
    registrant: person('Ada', 'Lovelace'),
    createdAt: '2030-01-01T00:00:00.000Z',
    seats: [],
    ...overrides,
  };
}

const rowsOf = (html: string) => [...html.matchAll(/<tr>(<td.*?)<\/tr>/g)].map(([, row]) => [...row.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map(([, cell]) => cell));

describe('the orders & attendees table', () => {
  it('shows code, status, total with refunds, registrant and one line per assigned seat', () => {
    const html = renderToString(
      <OrdersPage
        conference={conference}
        csrf="token"
        showExpired={false}
        next={null}
        orders={[
          order({
            seats: [
              { position: 0, seatTypeId: 's', seatTypeName: 'Pass', attendee: person('Grace', 'Hopper') },
              { position: 1, seatTypeId: 's', seatTypeName: 'Pass', attendee: null },
              { position: 2, seatTypeId: 'w', seatTypeName: '<b>Workshop</b>', attendee: person('Alan', 'Turing') },
            ],
          }),
          order({ orderId: 'o2', accessCode: 'FREE22', total: 0, isFreeOfCharge: true }),
          order({ orderId: 'o3', accessCode: 'PEND33', status: 'pending', total: 19_900, registrant: null }),
          order({ orderId: 'o4', accessCode: 'EXPD44', status: 'expired', refundedAmount: 19_900 }),
        ]}
      />,
    );
    expect(rowsOf(html)).toEqual([
      [
        'ABC123',
        'Paid',
        '$1,197.00',
        'Lovelace, Ada',
        'ada@example.com',
        '<div>Pass: Hopper Grace, grace@example.com</div><div>&lt;b>Workshop&lt;/b>: Turing Alan, alan@example.com</div>',
      ],
      ['FREE22', 'Free', '$0.00', 'Lovelace, Ada', 'ada@example.com', ''],
      ['PEND33', 'Pending', '$199.00', '', '', ''],
      ['EXPD44', 'Expired', '$1,197.00<span class="refunded">Refunded $199.00</span>', 'Lovelace, Ada', 'ada@example.com', ''],
    ]);
    expect(html).not.toContain('No orders yet.');
    expect(html).not.toContain('Next page');
  });

  it('links to the next page, keeping the expired-orders choice', () => {
    const html = renderToString(<OrdersPage conference={conference} csrf="token" showExpired next="o50" orders={[order({})]} />);
    expect(html).toContain('<a class="button secondary" href="/manage/cqrs/orders?expired=1&amp;after=o50">Next page</a>');
  });
});
