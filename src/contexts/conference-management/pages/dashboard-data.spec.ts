import { describe, expect, it } from 'vitest';
import type { SeatTypeWithFigures } from '../records.ts';
import { type DaySales, chartData, salesRows, salesTotals } from './dashboard-data.ts';

const seatType = (id: string, name: string, figures: Partial<SeatTypeWithFigures>): SeatTypeWithFigures => ({
  id,
  conferenceId: 'c',
  position: 0,
  name,
  description: '',
  quantity: 10,
  price: 100,
  eventVersion: 0,
  sold: 0,
  held: 0,
  remaining: 10,
  available: 10,
  ...figures,
});

const sales: DaySales[] = [
  { date: '2030-01-03', seatTypeId: 'b', seatTypeName: 'Workshop', seatsSold: 1, revenue: 5_000 },
  { date: '2030-01-01', seatTypeId: 'a', seatTypeName: 'Pass', seatsSold: 2, revenue: 39_800 },
  { date: '2030-01-03', seatTypeId: 'a', seatTypeName: 'Pass', seatsSold: 1, revenue: 19_900 },
];

describe('the dashboard data', () => {
  it('orders the sales by date with the revenue so far, and totals them', () => {
    expect(salesRows(sales).map((row) => [row.date, row.seatTypeName, row.cumulativeRevenue])).toEqual([
      ['2030-01-01', 'Pass', 39_800],
      ['2030-01-03', 'Workshop', 44_800],
      ['2030-01-03', 'Pass', 64_700],
    ]);
    expect(salesTotals(sales)).toEqual({ seatsSold: 4, revenue: 64_700 });
    expect(salesTotals([])).toEqual({ seatsSold: 0, revenue: 0 });
  });

  it('gives the charts seats per type, and per day the seats of each type and the cumulative revenue in dollars', () => {
    const figures = [seatType('a', 'Pass', { sold: 3, held: 1, remaining: 6, available: 6 }), seatType('b', 'Workshop', { sold: 1, held: 0, remaining: -1, available: 0 })];
    expect(chartData(figures, sales)).toEqual({
      seats: { labels: ['Pass', 'Workshop'], sold: [3, 1], held: [1, 0], available: [6, 0] },
      sales: {
        days: ['2030/01/01', '2030/01/03'],
        seatTypes: [
          { name: 'Pass', seats: [2, 1] },
          { name: 'Workshop', seats: [0, 1] },
        ],
        cumulativeRevenue: [398, 647],
      },
    });
  });
});
