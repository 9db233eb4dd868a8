import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Typed configuration from the environment (API.md "Configuration"). `parseSettings` only reads and
 * validates; `loadConfig` also resolves the secrets, generating them for the embedded store.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export type StoreLocation = { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };

export interface Settings {
  port: number;
  /** Absolute path. */
  dataDir: string;
  store: StoreLocation;
  databaseUrl: string | undefined;
  natsUrl: string | undefined;
  /** JetStream stream of the log (NATS_STREAM): deployments sharing a NATS server each need their own. */
  natsStream: string;
  /** Prefix of the transport's subjects (NATS_SUBJECT_PREFIX): `<prefix>.msg.<partition>.<type>`. */
  natsSubjectPrefix: string | undefined;
  /** How long the stream keeps messages (NATS_RETENTION_HOURS, default 168; 0: for ever), in ms. */
  natsRetentionMs: number;
  reservationHoldSeconds: number | undefined;
  seatReleaseBufferSeconds: number;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  trustProxy: boolean;
  logLevel: LogLevel;
  metricsPublic: boolean;
  /** Role `worker`: serve `/metrics` and `/health` on this port (METRICS_PORT; unset: no HTTP at all). */
  metricsPort: number | undefined;
  conferenceCreationLimit: number;
  demoData: boolean;
}

export interface Secrets {
  operatorToken: string;
  /** At least 32 bytes. */
  sessionSecret: string;
  /** True when the operator token was generated and kept in DATA_DIR: it is printed at every start. */
  generated: boolean;
}

export type Config = Settings & Secrets;

export type Environment = Record<string, string | undefined>;

/** Invalid configuration: the process reports every problem and exits with code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export const SQLITE_FILE = 'contoso.sqlite';
export const OPERATOR_TOKEN_FILE = 'operator-token';
export const SESSION_SECRET_FILE = 'session-secret';
export const MIN_SESSION_SECRET_BYTES = 32;

/**
 * Reads and validates every setting; secrets given are checked but not required (commands other
 * than `serve` do not need them). No side effects.
 */
export function parseSettings(env: Environment = process.env): Settings {
  return readSettings(env, false);
}

function readSettings(env: Environment, requireSecrets: boolean): Settings {
  const read = new Reader(env);
  const port = read.integer('PORT', 3000, 0, 65535);
  const dataDir = resolve(read.string('DATA_DIR') ?? './data');
  const databaseUrl = read.url('DATABASE_URL', ['postgres:', 'postgresql:']);
  const natsUrl = read.urlList('NATS_URL', ['nats:', 'tls:', 'ws:', 'wss:']);
  if (natsUrl !== undefined && databaseUrl === undefined) {
    read.problem('NATS_URL: the NATS transport needs PostgreSQL; set DATABASE_URL too');
  }
  const settings: Settings = {
    port,
    dataDir,
    store: databaseUrl ? { kind: 'postgres', url: databaseUrl } : { kind: 'sqlite', file: join(dataDir, SQLITE_FILE) },
    databaseUrl,
    natsUrl,
    natsStream: read.matching('NATS_STREAM', /^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ (at most 64)') ?? 'CONTOSO',
    natsSubjectPrefix: read.matching('NATS_SUBJECT_PREFIX', /^[A-Za-z0-9_-]{1,64}(\.[A-Za-z0-9_-]{1,64}){0,3}$/, 'up to 4 dot-separated tokens of letters, digits, - and _'),
    natsRetentionMs: read.integer('NATS_RETENTION_HOURS', 168, 0, 87_600) * 3_600_000,
    reservationHoldSeconds: read.optionalInteger('RESERVATION_HOLD_SECONDS', 1, 86_400),
    seatReleaseBufferSeconds: read.integer('SEAT_RELEASE_BUFFER_SECONDS', 840, 0, 86_400),
    publicUrl: (read.url('PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    smtpUrl: read.url('SMTP_URL', ['smtp:', 'smtps:']),
    mailFrom: read.string('MAIL_FROM') ?? 'Contoso Conference <no-reply@localhost>',
    trustProxy: read.flag('TRUST_PROXY', false),
    logLevel: read.choice('LOG_LEVEL', LOG_LEVELS, 'info'),
    metricsPublic: read.flag('METRICS_PUBLIC', false),
    metricsPort: read.optionalInteger('METRICS_PORT', 0, 65535),
    conferenceCreationLimit: read.integer('CONFERENCE_CREATION_LIMIT', 20, 0, 1_000_000),
    demoData: read.flag('DEMO_DATA', true),
  };
  // Secrets given in the environment are checked here too, so every problem is reported at once.
  read.token('OPERATOR_TOKEN');
  read.sessionSecret('SESSION_SECRET');
  if (requireSecrets && databaseUrl !== undefined) {
    for (const name of ['OPERATOR_TOKEN', 'SESSION_SECRET']) {
      if (read.string(name) === undefined) read.problem(`${name}: required with DATABASE_URL (every process must share it)`);
    }
  }
  read.done();
  return settings;
}

/**
 * The full configuration. With PostgreSQL the secrets come from the environment; with the embedded
 * store a missing secret is generated once and kept in DATA_DIR (file mode 0600).
 */
export function loadConfig(env: Environment = process.env): Config {
  const settings = readSettings(env, true);
  const fromEnv = { operatorToken: env.OPERATOR_TOKEN?.trim(), sessionSecret: env.SESSION_SECRET?.trim() };
  if (settings.store.kind === 'postgres') {
    return { ...settings, operatorToken: fromEnv.operatorToken!, sessionSecret: fromEnv.sessionSecret!, generated: false };
  }
  const operatorToken = fromEnv.operatorToken || keptSecret(settings.dataDir, OPERATOR_TOKEN_FILE);
  const sessionSecret = fromEnv.sessionSecret || keptSecret(settings.dataDir, SESSION_SECRET_FILE);
  if (Buffer.byteLength(sessionSecret) < MIN_SESSION_SECRET_BYTES) {
    throw new ConfigError([`${join(settings.dataDir, SESSION_SECRET_FILE)}: must hold at least ${MIN_SESSION_SECRET_BYTES} bytes`]);
  }
  return { ...settings, operatorToken, sessionSecret, generated: !fromEnv.operatorToken };
}

/** Reads a secret kept in DATA_DIR, creating it (32 random bytes, mode 0600) the first time. */
function keptSecret(dataDir: string, name: string): string {
  const file = join(dataDir, name);
  const existing = readIfPresent(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: existing === '' ? 'w' : 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readIfPresent(file) || secret;
    throw error;
  }
  return secret;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads variables, collecting problems instead of stopping at the first. Empty values count as unset. */
class Reader {
  readonly #problems: string[] = [];
  constructor(private readonly env: Environment) {}

  problem(message: string): void {
    this.#problems.push(message);
  }

  done(): void {
    if (this.#problems.length > 0) throw new ConfigError(this.#problems);
  }

  string(name: string): string | undefined {
    const value = this.env[name]?.trim();
    return value ? value : undefined;
  }

  /** A value that must match `pattern` (described in the problem when it does not). */
  matching(name: string, pattern: RegExp, description: string): string | undefined {
    const value = this.string(name);
    if (value === undefined || pattern.test(value)) return value;
    this.problem(`${name}: must be ${description} (got "${value}")`);
    return undefined;
  }

  optionalInteger(name: string, min: number, max: number): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const number = /^\d+$/.test(value) ? Number(value) : Number.NaN;
    if (Number.isSafeInteger(number) && number >= min && number <= max) return number;
    this.problem(`${name}: must be a whole number from ${min} to ${max} (got "${value}")`);
    return undefined;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    return this.optionalInteger(name, min, max) ?? fallback;
  }

  flag(name: string, fallback: boolean): boolean {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if (value === '1' || value === 'true') return true;
    if (value === '0' || value === 'false') return false;
    this.problem(`${name}: must be 1 or 0 (got "${value}")`);
    return fallback;
  }

  choice<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const value = this.string(name)?.toLowerCase();
    if (value === undefined) return fallback;
    if ((choices as readonly string[]).includes(value)) return value as T;
    this.problem(`${name}: must be one of ${choices.join(', ')} (got "${value}")`);
    return fallback;
  }

  url(name: string, protocols: string[]): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    return this.#checkUrl(name, value, protocols) ? value : undefined;
  }

  /** A comma-separated list of URLs (NATS accepts several servers). */
  urlList(name: string, protocols: string[]): string | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const ok = value.split(',').every((item) => this.#checkUrl(name, item.trim(), protocols));
    return ok ? value : undefined;
  }

  #checkUrl(name: string, value: string, protocols: string[]): boolean {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (url && protocols.includes(url.protocol)) return true;
    this.problem(`${name}: must be a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')}`);
    return false;
  }

  token(name: string): void {
    const value = this.string(name);
    if (value !== undefined && /\s/.test(value)) this.problem(`${name}: must not contain white space`);
  }

  sessionSecret(name: string): void {
    const value = this.string(name);
    if (value !== undefined && Buffer.byteLength(value) < MIN_SESSION_SECRET_BYTES) {
      this.problem(`${name}: must be at least ${MIN_SESSION_SECRET_BYTES} bytes long (got ${Buffer.byteLength(value)})`);
    }
  }
}
