import { describe, expect, it } from 'vitest';
import { PauseSwitch, type Runnable } from './pause-switch.ts';

/** Work whose stop finishes only when the test says so; records what it was told. */
class SlowWork implements Runnable {
  calls: string[] = [];
  #finish: (() => void) | undefined;
  start(): void {
    this.calls.push('start');
  }
  stop(): Promise<void> {
    this.calls.push('stop');
    return new Promise((resolve) => {
      this.#finish = resolve;
    });
  }
  finishStopping(): void {
    this.#finish?.();
  }
}

describe('PauseSwitch', () => {
  it('runs while started and not paused', async () => {
    const work = new SlowWork();
    const runner = new PauseSwitch(work);
    expect(runner.state).toBe('stopped');
    runner.start();
    expect(runner.state).toBe('running');
    const paused = runner.pause();
    expect(runner.state).toBe('pausing');
    work.finishStopping();
    await paused;
    expect(runner.state).toBe('paused');
    await runner.resume();
    expect(runner.state).toBe('running');
    expect(work.calls).toEqual(['start', 'stop', 'start']);
  });

  it('does not start while paused, and starts on resume', async () => {
    const work = new SlowWork();
    const runner = new PauseSwitch(work);
    await runner.pause();
    runner.start();
    expect(runner.state).toBe('paused');
    expect(work.calls).toEqual([]);
    await runner.resume();
    expect(work.calls).toEqual(['start']);
  });

  it('a resume during the stop of a pause starts the work again once it has stopped', async () => {
    const work = new SlowWork();
    const runner = new PauseSwitch(work);
    runner.start();
    const paused = runner.pause();
    const resumed = runner.resume();
    expect(work.calls).toEqual(['start', 'stop']);
    work.finishStopping();
    await Promise.all([paused, resumed]);
    expect(work.calls).toEqual(['start', 'stop', 'start']);
    expect(runner.state).toBe('running');
  });

  it('stops for good while paused, and a resume after the stop starts nothing', async () => {
    const work = new SlowWork();
    const runner = new PauseSwitch(work);
    runner.start();
    const paused = runner.pause();
    work.finishStopping();
    await paused;
    await runner.stop();
    await runner.resume();
    expect(work.calls).toEqual(['start', 'stop']);
    expect(runner.state).toBe('stopped');
  });
});
