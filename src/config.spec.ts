import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

const DISTRIBUTED = { DATABASE_URL: 'postgres://db.example/contoso', NATS_URL: 'nats://nats.example:4222', OPERATOR_TOKEN: 't'.repeat(32), SESSION_SECRET: 's'.repeat(32) };

describe('the NATS settings', () => {
  it('name the stream CONTOSO with no subject prefix by default, keeping messages 7 days', () => {
    expect(loadConfig(DISTRIBUTED)).toMatchObject({ natsUrl: DISTRIBUTED.NATS_URL, natsStream: 'CONTOSO', natsSubjectPrefix: undefined, natsRetentionMs: 7 * 24 * 3_600_000 });
  });

  it('keep stream messages as many hours as NATS_RETENTION_HOURS says (0: for ever)', () => {
    expect(loadConfig({ ...DISTRIBUTED, NATS_RETENTION_HOURS: '24' }).natsRetentionMs).toBe(24 * 3_600_000);
    expect(loadConfig({ ...DISTRIBUTED, NATS_RETENTION_HOURS: '0' }).natsRetentionMs).toBe(0);
    expect(() => loadConfig({ ...DISTRIBUTED, NATS_RETENTION_HOURS: '-1' })).toThrow(/NATS_RETENTION_HOURS/);
  });

  it('take a stream name and subject prefix of their own, so deployments can share a NATS server', () => {
    expect(loadConfig({ ...DISTRIBUTED, NATS_STREAM: 'STAGING_2', NATS_SUBJECT_PREFIX: 'staging.eu-1' })).toMatchObject({
      natsStream: 'STAGING_2',
      natsSubjectPrefix: 'staging.eu-1',
    });
  });

  it('refuse names NATS cannot take, each with its reason', () => {
    const read = () => loadConfig({ ...DISTRIBUTED, NATS_STREAM: 'a.b', NATS_SUBJECT_PREFIX: 'x.*' });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(/NATS_STREAM: must be letters, digits, - and _ \(at most 64\) \(got "a\.b"\)/);
    expect(read).toThrow(/NATS_SUBJECT_PREFIX: must be up to 4 dot-separated tokens/);
  });
});

describe('METRICS_PORT', () => {
  it('is unset by default: a worker serves no HTTP at all', () => {
    expect(loadConfig(DISTRIBUTED).metricsPort).toBeUndefined();
  });

  it('gives a worker a port for its metrics, 0 for any free one, and refuses what is not a port', () => {
    expect(loadConfig({ ...DISTRIBUTED, METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(loadConfig({ ...DISTRIBUTED, METRICS_PORT: '0' }).metricsPort).toBe(0);
    expect(() => loadConfig({ ...DISTRIBUTED, METRICS_PORT: '70000' })).toThrow(/METRICS_PORT/);
    expect(() => loadConfig({ ...DISTRIBUTED, METRICS_PORT: 'http' })).toThrow(/METRICS_PORT/);
  });
});
