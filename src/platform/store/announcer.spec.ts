import { describe, expect, it } from 'vitest';
import { Announcer } from './announcer.ts';
import type { Change } from './dialect.ts';

describe('Announcer', () => {
  /** An announcer whose first send waits for `release`, so that later changes gather behind it. */
  function held() {
    const sent: Change[][] = [];
    let release!: () => void;
    const first = new Promise<void>((resolve) => (release = resolve));
    const announcer = new Announcer(async (changes) => {
      sent.push(changes);
      if (sent.length === 1) await first;
    }, 0);
    return { announcer, sent, release };
  }

  it('sends the first change at once and gathers the rest, keys merged, into one notification', async () => {
    const { announcer, sent, release } = held();
    announcer.announce([{ topic: 'messages' }]);
    announcer.announce([{ topic: 'read_models', keys: ['a'] }]);
    announcer.announce([{ topic: 'read_models', keys: ['b', 'a'] }, { topic: 'checkpoints', keys: ['h'] }]);
    release();
    await announcer.settled();
    expect(sent).toEqual([[{ topic: 'messages' }], [{ topic: 'read_models', keys: ['a', 'b'] }, { topic: 'checkpoints', keys: ['h'] }]]);
  });

  it('lets a change without keys absorb the keys of its topic, before and after it', async () => {
    const { announcer, sent, release } = held();
    announcer.announce([{ topic: 'messages' }]);
    announcer.announce([{ topic: 'read_models', keys: ['a'] }]);
    announcer.announce([{ topic: 'read_models' }]);
    announcer.announce([{ topic: 'read_models', keys: ['b'] }]);
    release();
    await announcer.settled();
    expect(sent[1]).toEqual([{ topic: 'read_models' }]);
  });

  it('sends a topic without keys once it gathered more keys than a notification should carry', async () => {
    const { announcer, sent, release } = held();
    announcer.announce([{ topic: 'messages' }]);
    for (let i = 0; i < 250; i++) announcer.announce([{ topic: 'read_models', keys: [`flow-${i}`] }]);
    release();
    await announcer.settled();
    expect(sent[1]).toEqual([{ topic: 'read_models' }]);
  });
});
