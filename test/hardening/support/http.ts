import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestServer } from '../../web/server-fixture.ts';

/** A request exactly as it goes on the wire: any path, any headers, any bytes. */
export interface RawRequest {
  method: string;
  /** Path and query string as sent (percent-encode what HTTP does not allow raw). */
  path: string;
  headers?: Record<string, string | undefined>;
  body?: string | Buffer;
  /** Send the body with `transfer-encoding: chunked` instead of a content-length. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

/**
 * Plain HTTP/1.1 over keep-alive connections to a listening test server, without the
 * normalisation of `fetch` (`..` segments, encodings and header checks stay as given).
 */
export class RawHttp {
  readonly #agent = new http.Agent({ keepAlive: true, maxSockets: 4 });

  private constructor(readonly port: number) {}

  /** Starts the server on a free port of 127.0.0.1. */
  static async listen(server: TestServer): Promise<RawHttp> {
    await server.app.listen({ port: 0, host: '127.0.0.1' });
    return new RawHttp((server.app.server.address() as AddressInfo).port);
  }

  /** The answer; a connection the server closed before answering is tried once more on a new one. */
  async send(request: RawRequest): Promise<RawResponse> {
    try {
      return await this.#once(request, this.#agent);
    } catch {
      return this.#once(request, false);
    }
  }

  close(): void {
    this.#agent.destroy();
  }

  #once(request: RawRequest, agent: http.Agent | false): Promise<RawResponse> {
    const body = request.body === undefined ? undefined : Buffer.isBuffer(request.body) ? request.body : Buffer.from(request.body, 'utf8');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers ?? {})) if (value !== undefined) headers[name] = value;
    if (body !== undefined && !request.chunked) headers['content-length'] = String(body.length);
    if (request.chunked) headers['transfer-encoding'] = 'chunked';
    return new Promise((resolve, reject) => {
      const outgoing = http.request({ host: '127.0.0.1', port: this.port, method: request.method, path: request.path, headers, agent }, (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () => resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, text: Buffer.concat(chunks).toString('utf8') }));
        incoming.on('error', reject);
      });
      // The server may answer (413, 415) and close before it has read the whole body.
      outgoing.on('error', reject);
      if (body !== undefined && request.chunked) {
        for (let at = 0; at < body.length; at += 16_384) outgoing.write(body.subarray(at, at + 16_384));
        outgoing.end();
      } else {
        outgoing.end(body);
      }
    });
  }
}

let clients = 0;

/** A new made-up client address per call (the server trusts X-Forwarded-For), so that rate limits per client seldom apply. */
export function someClient(): string {
  const n = ++clients + process.pid * 1000;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}
