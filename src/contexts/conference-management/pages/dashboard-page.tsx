import { formatMoney } from '../../../web/pages/format.ts';
import type { Conference, SeatTypeWithFigures } from '../records.ts';
import { ConferenceLayout } from './components.tsx';
import { type DaySales, chartData, salesRows, salesTotals } from './dashboard-data.ts';
import { formatManagementDate } from './display.ts';
import { JsonData } from './json-data.tsx';
import { paths } from './paths.ts';

const CHART_DATA_ID = 'dashboard-data';

interface DashboardPageProps {
  conference: Conference;
  csrf: string;
  seatTypes: SeatTypeWithFigures[];
  sales: DaySales[];
}

function SeatsByType({ seatTypes }: { seatTypes: SeatTypeWithFigures[] }) {
  return (
    <section>
      <h2>Seats by type</h2>
      {seatTypes.length === 0 ? (
        <p class="muted">No seat types yet.</p>
      ) : (
        <>
          <div class="chart">
            <canvas id="seats-chart" role="img" aria-label="Seats by type: sold, held and available" />
          </div>
          <table class="seats-by-type">
            <thead>
              <tr>
                <th>Seat type</th>
                <th class="number">Quota</th>
                <th class="number">Sold</th>
                <th class="number">Held</th>
                <th class="number">Available</th>
                <th>Sold and held</th>
              </tr>
            </thead>
            <tbody>
              {seatTypes.map((seatType) => (
                <tr key={seatType.id}>
                  <td>{seatType.name}</td>
                  <td class="number">{seatType.quantity}</td>
                  <td class="number">{seatType.sold}</td>
                  <td class="number">{seatType.held}</td>
                  <td class="number">{seatType.available}</td>
                  <td>
                    {/* A bar without script or inline style. */}
                    <meter min={0} max={Math.max(seatType.quantity, 1)} value={seatType.sold + seatType.held} />
                    {seatType.remaining < 0 && <span class="oversubscribed">{`Oversubscribed by ${-seatType.remaining}`}</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function SalesOverTime({ sales }: { sales: DaySales[] }) {
  const totals = salesTotals(sales);
  return (
    <section>
      <h2>Sales over time</h2>
      {sales.length === 0 ? (
        <p class="muted">No seats have been sold yet.</p>
      ) : (
        <>
          <div class="chart">
            <canvas id="sales-chart" role="img" aria-label="Seats sold per day by seat type, and cumulative revenue" />
          </div>
          <table class="sales">
            <thead>
              <tr>
                <th>Date</th>
                <th>Seat type</th>
                <th class="number">Seats sold</th>
                <th class="number">Revenue</th>
                <th class="number">Cumulative revenue</th>
              </tr>
            </thead>
            <tbody>
              {salesRows(sales).map((row) => (
                <tr key={`${row.date}|${row.seatTypeId}`}>
                  <td>{formatManagementDate(row.date)}</td>
                  <td>{row.seatTypeName}</td>
                  <td class="number">{row.seatsSold}</td>
                  <td class="number">{formatMoney(row.revenue)}</td>
                  <td class="number">{formatMoney(row.cumulativeRevenue)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      <dl class="totals">
        <dt>Seats sold</dt>
        <dd>{totals.seatsSold}</dd>
        <dt>Revenue</dt>
        <dd>{formatMoney(totals.revenue)}</dd>
      </dl>
    </section>
  );
}

/** Dashboard (DOMAIN 6.2): charts drawn by our script from the embedded data, and the same data as tables. */
export function DashboardPage({ conference, csrf, seatTypes, sales }: DashboardPageProps) {
  return (
    <ConferenceLayout conference={conference} csrf={csrf} section="dashboard" heading="Dashboard">
      <SeatsByType seatTypes={seatTypes} />
      <SalesOverTime sales={sales} />
      <JsonData id={CHART_DATA_ID} value={chartData(seatTypes, sales)} />
      <script src="/assets/chart.umd.js" defer />
      <script src={paths.dashboardScript} defer />
    </ConferenceLayout>
  );
}
