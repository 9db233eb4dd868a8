/** How the sites show money and dates (DOMAIN Conventions: en-US, USD, calendar dates without zone). */

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Integer cents as en-US dollars: `119700` → `$1,197.00`. */
export function formatMoney(cents: number): string {
  return usd.format(cents / 100);
}

const monthDay = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });

/** `YYYY-MM-DD` calendar dates as "Jun 12 – Jun 14, 2012" (the year once when both share it). */
export function formatDateRange(start: string, end: string): string {
  const [from, to] = [start, end].map((date) => new Date(`${date}T00:00:00Z`));
  const fromYear = from.getUTCFullYear();
  const toYear = to.getUTCFullYear();
  if (start === end) return `${monthDay.format(from)}, ${fromYear}`;
  if (fromYear === toYear) return `${monthDay.format(from)} – ${monthDay.format(to)}, ${toYear}`;
  return `${monthDay.format(from)}, ${fromYear} – ${monthDay.format(to)}, ${toYear}`;
}
