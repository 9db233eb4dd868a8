import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '..', '..');

describe('docs/examples', () => {
  it('counter.ts runs and prints what docs/platform.md says it prints', async () => {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'docs/examples/counter.ts'], { cwd: ROOT, timeout: 30_000 });
    expect(stdout.trim().split('\n')).toEqual([
      'refused: A counter stops at 10.',
      'total: 9',
      'log: command Increment, event Incremented, command Increment, event Incremented',
    ]);
  });
});
