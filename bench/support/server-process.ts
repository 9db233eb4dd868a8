import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(ROOT, 'bin', 'conference.js');

export type Role = 'web' | 'worker' | 'all';

/** How a child process ended. */
export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One `conference serve --role <role>` child process. */
export interface ServeNode {
  readonly role: Role;
  /** Where it serves HTTP (web and all; a worker with METRICS_PORT: its metrics); otherwise undefined. */
  readonly url: string | undefined;
  readonly pid: number;
  /** Resolves when the process has gone, with how it ended. */
  readonly exited: Promise<Exit>;
  readonly alive: boolean;
  /** The last 20 KB it wrote to stdout and stderr. */
  output(): string;
  /** SIGKILL: resolves once it is gone. */
  kill(): Promise<Exit>;
  /** SIGTERM (a graceful shutdown), SIGKILL after 20 s: resolves with how it ended. */
  stop(): Promise<Exit>;
}

export interface ServeOptions {
  role?: Role;
  /** Added to this process's environment (DEMO_DATA=0 and LOG_LEVEL=warn unless given). */
  env?: Record<string, string>;
  /** HTTP port (default 0: any free one). */
  port?: number;
  timeoutMs?: number;
}

/**
 * Starts `conference serve --role <role>` and resolves once it runs: a web (or all) process once it
 * listens, a worker once it says it is running. BENCH_SERVER_NODE_ARGS passes flags to its node, e.g.
 * `--cpu-prof --cpu-prof-dir=prof`.
 */
export async function startNode(options: ServeOptions = {}): Promise<ServeNode> {
  const role = options.role ?? 'all';
  const timeoutMs = options.timeoutMs ?? 90_000;
  const nodeArgs = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child: ChildProcess = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--role', role], {
    cwd: ROOT,
    env: { ...process.env, DEMO_DATA: '0', LOG_LEVEL: 'warn', ...options.env, PORT: String(options.port ?? 0) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stderr!.on('data', keep);
  let exitedAs: Exit | undefined;
  const exited = new Promise<Exit>((resolve) =>
    child.once('exit', (code, signal) => {
      exitedAs = { code, signal };
      resolve(exitedAs);
    }),
  );
  const url = await new Promise<string | undefined>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve --role ${role} did not start within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    let ready = false;
    child.stdout!.on('data', (chunk: Buffer) => {
      keep(chunk);
      if (ready) return;
      const listening = /(?:listening|metrics) on http:\/\/[^:\s]+:(\d+)/.exec(output);
      if (listening || (role === 'worker' && /worker running\n/.test(output))) {
        ready = true;
        clearTimeout(timer);
        resolve(listening ? `http://127.0.0.1:${listening[1]}` : undefined);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`serve --role ${role} exited (${code ?? signal}) before it ran:\n${output}`));
    });
  });
  return {
    role,
    url,
    pid: child.pid!,
    exited,
    get alive() {
      return exitedAs === undefined;
    },
    output: () => output,
    async kill() {
      if (!exitedAs) child.kill('SIGKILL');
      return exited;
    },
    async stop() {
      if (exitedAs) return exitedAs;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
}

/** A `conference serve` process on an empty embedded store of its own, as a user would run it. */
export interface ServerProcess {
  url: string;
  pid: number;
  /** The SQLite file of its store. */
  sqliteFile: string;
  close(): Promise<void>;
}

/**
 * Starts `conference serve` (role `all`, SQLite in a temp DATA_DIR, a free port) and resolves once
 * it listens. `env` adds settings (e.g. `CONFERENCE_CREATION_LIMIT`).
 */
export async function startServer(env: Record<string, string> = {}): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'contoso-bench-server-'));
  let node: ServeNode;
  try {
    node = await startNode({ role: 'all', env: { DATA_DIR: dataDir, ...env } });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: node.url!,
    pid: node.pid,
    sqliteFile: join(dataDir, 'contoso.sqlite'),
    close: () => node.stop().then(() => rmSync(dataDir, { recursive: true, force: true })),
  };
}

/** Settings every process of a distributed deployment shares (docs/deployment.md). */
export interface ClusterSettings {
  databaseUrl: string;
  natsUrl: string;
  /** More settings for every process (e.g. RESERVATION_HOLD_SECONDS). */
  env?: Record<string, string>;
}

/**
 * A distributed deployment on this machine: `conference serve --role web` and `--role worker`
 * processes on one PostgreSQL database and one NATS server, sharing the operator token and the
 * session secret.
 */
export class Cluster {
  readonly operatorToken = randomBytes(16).toString('hex');
  readonly sessionSecret = randomBytes(32).toString('hex');
  readonly webs: ServeNode[] = [];
  readonly workers: ServeNode[] = [];

  constructor(readonly settings: ClusterSettings) {}

  /**
   * Starts `webs` web and `workers` worker processes: the first web process alone (it applies the
   * migrations and seeds), then the rest at once.
   */
  static async start(settings: ClusterSettings, counts: { webs: number; workers: number }): Promise<Cluster> {
    const cluster = new Cluster(settings);
    try {
      await cluster.add('web');
      await Promise.all([
        ...Array.from({ length: counts.webs - 1 }, () => cluster.add('web')),
        ...Array.from({ length: counts.workers }, () => cluster.add('worker')),
      ]);
    } catch (error) {
      await cluster.stop();
      throw error;
    }
    return cluster;
  }

  get env(): Record<string, string> {
    return {
      DATABASE_URL: this.settings.databaseUrl,
      NATS_URL: this.settings.natsUrl,
      OPERATOR_TOKEN: this.operatorToken,
      SESSION_SECRET: this.sessionSecret,
      ...this.settings.env,
    };
  }

  /** The operator's authorization header. */
  get operator(): { authorization: string } {
    return { authorization: `Bearer ${this.operatorToken}` };
  }

  /** Web URLs. */
  get urls(): string[] {
    return this.webs.map((web) => web.url!);
  }

  /** Starts one more process of `role` (a worker serves its metrics on a port of its own). */
  async add(role: 'web' | 'worker'): Promise<ServeNode> {
    const node = await startNode({ role, env: role === 'worker' ? { ...this.env, METRICS_PORT: '0' } : this.env });
    (role === 'web' ? this.webs : this.workers).push(node);
    return node;
  }

  /** Every process still running, web first. */
  get running(): ServeNode[] {
    return [...this.webs, ...this.workers].filter((node) => node.alive);
  }

  /** SIGTERM to every process at once; answers how each ended (web processes first). */
  async stop(): Promise<Array<{ role: Role; pid: number } & Exit>> {
    const nodes = this.running;
    const exits = await Promise.all(nodes.map((node) => node.stop()));
    return nodes.map((node, i) => ({ role: node.role, pid: node.pid, ...exits[i] }));
  }
}

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
