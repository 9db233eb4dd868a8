import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/conference.js');

/** The environment of a spawned `conference` on the SQLite store under `dataDir`: none of the caller's configuration leaks in. */
export function conferenceEnvironment(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  for (const name of ['PORT', 'DATABASE_URL', 'NATS_URL', 'OPERATOR_TOKEN', 'SESSION_SECRET', 'METRICS_PUBLIC', 'PUBLIC_URL', 'SMTP_URL', 'MAIL_FROM', 'DEMO_DATA']) delete env[name];
  return { ...env, ...extra };
}

export interface Exit {
  code: number | null;
  /** The signal that ended the process, when one did. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Starts `conference <args>`; `output` is what it printed so far. */
export function conference(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<Exit>; output: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<Exit>((done) => child.on('close', (code, signal) => done({ code, signal, stdout, stderr })));
  return { child, exited, output: () => stdout };
}

/** Runs `conference <args>` to its end. */
export const runConference = (args: string[], env: NodeJS.ProcessEnv): Promise<Exit> => conference(args, env).exited;
