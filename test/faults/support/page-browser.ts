/**
 * A browser without JavaScript over real HTTP: keeps the cookies the site sets and the CSRF token of
 * the last page it saw, which its forms send.
 */
export class PageBrowser {
  readonly cookies = new Map<string, string>();
  csrf = '';
  constructor(readonly baseUrl: string) {}

  async get(path: string): Promise<{ status: number; type: string; body: string }> {
    return this.#remember(await fetch(new URL(path, this.baseUrl), { headers: this.#headers(), redirect: 'manual', signal: AbortSignal.timeout(30_000) }));
  }

  async post(path: string, fields: Record<string, string>): Promise<{ status: number; type: string; body: string }> {
    const body = new URLSearchParams({ _csrf: this.csrf, ...fields }).toString();
    return this.#remember(
      await fetch(new URL(path, this.baseUrl), {
        method: 'POST',
        headers: { ...this.#headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(30_000),
      }),
    );
  }

  #headers(): Record<string, string> {
    const cookie = [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    return { accept: 'text/html,application/xhtml+xml,*/*;q=0.8', ...(cookie ? { cookie } : {}) };
  }

  async #remember(response: Response): Promise<{ status: number; type: string; body: string }> {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';', 1);
      const at = pair.indexOf('=');
      this.cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const body = await response.text();
    const token = /name="_csrf" value="([^"]+)"/.exec(body);
    if (token) this.csrf = token[1];
    return { status: response.status, type: response.headers.get('content-type') ?? '', body };
  }
}

/** The hidden fields of a seat-selection page with the quantities given by seat-type id. */
export function seatSelectionForm(body: string, quantities: Record<string, number>): Record<string, string> {
  const field = (name: string) => new RegExp(`name="${name}" value="([^"]*)"`).exec(body)?.[1] ?? '';
  const form: Record<string, string> = { orderId: field('orderId'), orderVersion: field('orderVersion') };
  for (const [seatTypeId, quantity] of Object.entries(quantities)) form[`quantity-${seatTypeId}`] = String(quantity);
  return form;
}
