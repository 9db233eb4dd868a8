import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const PROJECT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = fileURLToPath(new URL('../../../bin/conference.js', import.meta.url));

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One `conference serve` child process (role `all`). */
export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** Resolves when the process has gone, with how it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether it has exited. */
  readonly alive: boolean;
  /** The last 20 KB it wrote to stderr and stdout. */
  output(): string;
  /** SIGKILL: resolves once it is gone. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful shutdown), SIGKILL after 20 s. */
  stop(): Promise<void>;
}

/**
 * Starts `conference serve` on `port` with `env` added to this process's environment (PORT, and
 * DEMO_DATA=0 and LOG_LEVEL=warn unless given) and resolves once it listens.
 */
export async function startServe(port: number, env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve'], {
    cwd: PROJECT,
    env: { ...process.env, DEMO_DATA: '0', LOG_LEVEL: 'warn', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stderr!.on('data', keep);
  let exitedAs: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedAs = { code, signal };
      resolve(exitedAs);
    }),
  );
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not listen within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (/listening on http:\/\/\S+/.test(output)) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${port}`);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    url,
    pid: child.pid!,
    exited,
    get alive() {
      return exitedAs === undefined;
    },
    output: () => output,
    async kill() {
      if (exitedAs) return;
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (exitedAs) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
