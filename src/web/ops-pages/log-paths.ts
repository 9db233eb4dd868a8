/** The addresses of the operator's log, dead-letter and timer pages (API.md Page routes: `/ops` and its pages). */
export const logPaths = {
  messages: '/ops/messages',
  timeline: '/ops/timeline',
  orderTimeline: (orderId: string) => `/ops/orders/${encodeURIComponent(orderId)}/timeline`,
  deadLetters: '/ops/dead-letters',
  retryDeadLetters: '/ops/dead-letters/retry',
  retryDeadLetter: (id: string) => `/ops/dead-letters/${encodeURIComponent(id)}/retry`,
  discardDeadLetter: (id: string) => `/ops/dead-letters/${encodeURIComponent(id)}/discard`,
  timers: '/ops/timers',
};

/** The address of a page with these query parameters (empty ones left out). */
export function withQuery(path: string, params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined && value !== '') search.set(name, String(value));
  const text = search.toString();
  return text === '' ? path : `${path}?${text}`;
}
