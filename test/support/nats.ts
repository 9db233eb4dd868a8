import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { newId } from '../../src/platform/messages/ids.ts';
import type { NatsTransportOptions } from '../../src/platform/transport/nats/transport.ts';

export const NATS_URL = process.env.TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

/** Fresh stream and subject names on a NATS server; `drop` deletes the stream. */
export interface NatsLocation {
  options: NatsTransportOptions;
  drop(): Promise<void>;
}

/** Short leases so that takeovers happen within a test. */
export const TEST_TIMINGS = { leaseMs: 2000, renewMs: 400, ackWaitMs: 10_000 };

export function freshNats(url = NATS_URL, timings: Partial<NatsTransportOptions> = TEST_TIMINGS): NatsLocation {
  const suffix = newId().replaceAll('-', '').slice(-12);
  const options: NatsTransportOptions = { url, stream: `TEST_${suffix}`, subjectPrefix: `t${suffix}`, ...timings };
  return {
    options,
    async drop() {
      const nc = await connect({ servers: url, maxReconnectAttempts: 0 });
      try {
        const jsm = await jetstreamManager(nc);
        await jsm.streams.delete(options.stream!).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  };
}
