import { type AddressInfo, type Server, type Socket, connect as tcpConnect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a NATS server that can lose JetStream deliveries on the wire: it reads the
 * server's side of the protocol frame by frame and, when told to, leaves out the next delivery of a
 * consumer (a `MSG`/`HMSG` frame whose reply subject is that consumer's acknowledgement subject).
 * The server counts such a delivery as made; the client never sees it — as when a connection drops
 * between the two. It also counts the acknowledgements clients send, per consumer.
 */
export class NatsProxy {
  readonly #sockets = new Set<Socket>();
  /** Consumers whose next first delivery is left out, and how many more to leave out. */
  readonly #dropping = new Map<string, number>();
  dropped = 0;
  /** Acknowledgements sent by clients (`PUB $JS.ACK.<stream>.<consumer>.…`), per consumer. */
  readonly #acks = new Map<string, number>();

  private constructor(
    private readonly server: Server,
    private readonly target: { host: string; port: number },
  ) {}

  static async start(natsUrl: string): Promise<NatsProxy> {
    const { hostname, port } = new URL(natsUrl);
    const server = createServer();
    const proxy = new NatsProxy(server, { host: hostname, port: Number(port) });
    server.on('connection', (client) => proxy.#pipe(client));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get url(): string {
    return `nats://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Leaves out the next `count` deliveries of `consumer` (its durable name) to any client. */
  dropNext(consumer: string, count = 1): void {
    this.#dropping.set(consumer, (this.#dropping.get(consumer) ?? 0) + count);
  }

  /** How many acknowledgements clients have sent for deliveries of `consumer`. */
  acks(consumer: string): number {
    return this.#acks.get(consumer) ?? 0;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  #pipe(client: Socket): void {
    const upstream = tcpConnect(this.target);
    this.#sockets.add(client).add(upstream);
    client.pipe(upstream);
    let sent: Buffer = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      sent = this.#countAcks(Buffer.concat([sent, chunk]));
    });
    let pending: Buffer = Buffer.alloc(0);
    upstream.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      pending = this.#forwardFrames(pending, client);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }

  /** Writes every whole frame of `data` to `client` (but the ones left out); answers what is left. */
  #forwardFrames(data: Buffer, client: Socket): Buffer {
    let offset = 0;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', offset);
      if (lineEnd < 0) break;
      const line = data.toString('latin1', offset, lineEnd);
      let frameEnd = lineEnd + 2;
      const args = line.split(' ');
      if (args[0] === 'MSG' || args[0] === 'HMSG') {
        // MSG <subject> <sid> [reply] <bytes> / HMSG <subject> <sid> [reply] <header bytes> <total bytes>
        frameEnd += Number(args[args.length - 1]) + 2;
        if (frameEnd > data.length) break;
        const reply = args.length === (args[0] === 'MSG' ? 5 : 6) ? args[3] : '';
        if (this.#leavesOut(reply)) {
          offset = frameEnd;
          continue;
        }
      }
      client.write(data.subarray(offset, frameEnd));
      offset = frameEnd;
    }
    return data.subarray(offset);
  }

  /** Counts the acknowledgements among the whole client frames of `data`; answers what is left. */
  #countAcks(data: Buffer): Buffer {
    let offset = 0;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', offset);
      if (lineEnd < 0) break;
      const args = data.toString('latin1', offset, lineEnd).split(' ');
      let frameEnd = lineEnd + 2;
      if (args[0] === 'PUB' || args[0] === 'HPUB') {
        // PUB <subject> [reply] <bytes> / HPUB <subject> [reply] <header bytes> <total bytes>
        frameEnd += Number(args[args.length - 1]) + 2;
        if (frameEnd > data.length) break;
        if (args[1].startsWith('$JS.ACK.')) {
          const consumer = args[1].split('.')[3];
          this.#acks.set(consumer, this.acks(consumer) + 1);
        }
      }
      offset = frameEnd;
    }
    return data.subarray(offset);
  }

  /** `$JS.ACK.<stream>.<consumer>.<delivered count>.…`: a first delivery of a consumer being dropped. */
  #leavesOut(reply: string): boolean {
    if (!reply.startsWith('$JS.ACK.')) return false;
    const [, , , consumer, deliveredCount] = reply.split('.');
    const left = this.#dropping.get(consumer) ?? 0;
    if (left === 0 || deliveredCount !== '1') return false;
    this.#dropping.set(consumer, left - 1);
    this.dropped++;
    return true;
  }
}
