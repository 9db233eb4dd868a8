/** Background work that can be started and stopped (stopping lets the work in hand finish). */
export interface Runnable {
  start(): void;
  stop(): Promise<void>;
}

/** `pausing`: paused, the work in hand still finishing. */
export type RunState = 'stopped' | 'running' | 'pausing' | 'paused';

/**
 * Runs background work while it is started and not paused (maintenance, DOMAIN 7.4). Start, stop,
 * pause and resume may come in any order and at any time: a change that arrives while the work is
 * still stopping is applied once it has stopped, so the work ends up as the latest calls say.
 */
export class PauseSwitch {
  #started = false;
  #paused = false;
  #running = false;
  #stopping: Promise<void> | undefined;

  constructor(private readonly work: Runnable) {}

  get state(): RunState {
    if (this.#paused) return this.#running || this.#stopping ? 'pausing' : 'paused';
    return this.#running ? 'running' : 'stopped';
  }

  get paused(): boolean {
    return this.#paused;
  }

  /** Runs the work at once, unless paused (then on resume). */
  start(): void {
    this.#started = true;
    void this.#apply();
  }

  /** Lets the work in hand finish, then stops. */
  stop(): Promise<void> {
    this.#started = false;
    return this.#apply();
  }

  /** Lets the work in hand finish, then takes no more until {@link resume}. */
  pause(): Promise<void> {
    this.#paused = true;
    return this.#apply();
  }

  resume(): Promise<void> {
    this.#paused = false;
    return this.#apply();
  }

  #apply(): Promise<void> {
    if (this.#stopping) return this.#stopping.then(() => this.#apply());
    const wanted = this.#started && !this.#paused;
    if (wanted && !this.#running) {
      this.#running = true;
      this.work.start();
    } else if (!wanted && this.#running) {
      this.#running = false;
      this.#stopping = this.work.stop().finally(() => {
        this.#stopping = undefined;
      });
      return this.#stopping.then(() => this.#apply());
    }
    return Promise.resolve();
  }
}
