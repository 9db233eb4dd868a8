/** The part of pino's logger the platform uses (tests may pass `pino({ level: 'silent' })`). */
export interface Logger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
