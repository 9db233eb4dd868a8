import type { Static } from 'typebox';
import type { Stats } from '../api-shapes.ts';
import type { SeatTypeWithFigures } from '../records.ts';
import { formatManagementDate } from './display.ts';

/** One day's sales of one seat type (DOMAIN 5.3 Sales over time), as the management API answers them. */
export type DaySales = Static<typeof Stats>['salesOverTime'][number];

/** What the dashboard's charts draw (`assets/dashboard.js`): series ready to plot, money in dollars. */
interface ChartData {
  seats: { labels: string[]; sold: number[]; held: number[]; available: number[] };
  sales: { days: string[]; seatTypes: { name: string; seats: number[] }[]; cumulativeRevenue: number[] };
}

interface SalesRow extends DaySales {
  /** Revenue of every sale up to and including this row (rows by date). */
  cumulativeRevenue: number;
}

/** The sales in date order, each with the revenue so far. */
export function salesRows(sales: DaySales[]): SalesRow[] {
  let sum = 0;
  return [...sales]
    .sort((a, b) => a.date.localeCompare(b.date))
    .map((entry) => {
      sum += entry.revenue;
      return { ...entry, cumulativeRevenue: sum };
    });
}

export function salesTotals(sales: DaySales[]): { seatsSold: number; revenue: number } {
  return {
    seatsSold: sales.reduce((sum, entry) => sum + entry.seatsSold, 0),
    revenue: sales.reduce((sum, entry) => sum + entry.revenue, 0),
  };
}

/**
 * The charts' series: seats per type (sold, held, available), and per day the seats sold of each
 * seat type (0 on days it sold none) with the cumulative revenue at the end of the day.
 */
export function chartData(seatTypes: SeatTypeWithFigures[], sales: DaySales[]): ChartData {
  const rows = salesRows(sales);
  const days = [...new Set(rows.map((row) => row.date))];
  const names = new Map<string, string>();
  for (const row of rows) names.set(row.seatTypeId, row.seatTypeName);
  const cumulativeRevenue = days.map((day) => rows.filter((row) => row.date <= day).reduce((sum, row) => sum + row.revenue, 0) / 100);
  return {
    seats: {
      labels: seatTypes.map((seatType) => seatType.name),
      sold: seatTypes.map((seatType) => seatType.sold),
      held: seatTypes.map((seatType) => seatType.held),
      available: seatTypes.map((seatType) => seatType.available),
    },
    sales: {
      days: days.map(formatManagementDate),
      seatTypes: [...names].map(([id, name]) => ({
        name,
        seats: days.map((day) => rows.find((row) => row.date === day && row.seatTypeId === id)?.seatsSold ?? 0),
      })),
      cumulativeRevenue,
    },
  };
}
