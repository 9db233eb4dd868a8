import type { MaintenanceSwitches } from './switches.ts';

/** Background work that maintenance can hold: the handlers and timers, the e-mail sender. */
export interface Pausable {
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/**
 * Holds `workers` while the `processing` switch is on (DOMAIN 7.4), from now on: call it before
 * starting them, so that a process started during maintenance takes nothing. Each finishes what it
 * has in hand and takes nothing new; on resume it goes on from where it stopped, so everything
 * logged meanwhile is processed. Answers a function that stops following the switch.
 */
export function pauseWithProcessingSwitch(
  switches: MaintenanceSwitches,
  workers: readonly Pausable[],
  onError: (error: unknown) => void = () => {},
): () => void {
  const hold = (paused: boolean) => {
    for (const worker of workers) (paused ? worker.pause() : worker.resume()).catch(onError);
  };
  if (switches.state.processing) hold(true);
  return switches.onChange((state, before) => {
    if (state.processing !== before.processing) hold(state.processing);
  });
}
