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
