/** An append found its stream at another version than expected (guarantee 2). */
export class ConcurrencyError extends Error {
  override readonly name = 'ConcurrencyError';
  constructor(
    readonly stream: string,
    readonly expectedVersion: number,
    readonly actualVersion?: number,
  ) {
    super(
      `Stream ${stream} is not at version ${expectedVersion}` +
        (actualVersion === undefined ? ' (a concurrent writer appended first)' : ` but at ${actualVersion}`),
    );
  }
}

/** A unique key (other than a stream version) already exists, e.g. a taken slug. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** Why the store cannot take a write right now: a condition of the store, not of the request, that may clear by itself. */
export type StoreUnavailableReason = 'full' | 'read-only' | 'unreachable';

/** PostgreSQL SQLSTATEs: 25006 read-only transaction, 53xxx insufficient resources (53100 disk full), 08xxx connection, 57P01–57P03 shutdown and start-up, 58030 I/O error. */
function postgresReason(code: string): StoreUnavailableReason | undefined {
  if (code === '25006') return 'read-only';
  if (code === '53100') return 'full';
  if (code.startsWith('53') || code.startsWith('08') || ['57P01', '57P02', '57P03', '58030'].includes(code)) return 'unreachable';
  return undefined;
}

/** SQLite result codes (better-sqlite3 reports extended ones, e.g. SQLITE_IOERR_WRITE). */
function sqliteReason(code: string): StoreUnavailableReason | undefined {
  if (code === 'SQLITE_FULL') return 'full';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code.startsWith('SQLITE_IOERR') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_BUSY')) return 'unreachable';
  return undefined;
}

/** Errors of the socket to the database server (the server stopped, restarts or cannot be reached). */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

/**
 * Whether `error` (or an error it wraps) says the store is full, read-only or unreachable, and
 * which; undefined for every other error.
 */
export function storeUnavailableReason(error: unknown): StoreUnavailableReason | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 5; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') {
      const reason = code.startsWith('SQLITE_') ? sqliteReason(code) : SOCKET_CODES.has(code) ? 'unreachable' : /^[0-9A-Z]{5}$/.test(code) ? postgresReason(code) : undefined;
      if (reason) return reason;
    }
    if (CONNECTION_LOST.test(current.message)) return 'unreachable';
  }
  return undefined;
}
