import { type ServeNode, startNode } from '../../../bench/support/server-process.ts';

export { freePort } from '../../../bench/support/server-process.ts';

/** One `conference serve` child process (role `all`), listening at `url`. */
export type ServeProcess = ServeNode & { readonly url: string };

/**
 * Starts `conference serve` on `port` with `env` added to this process's environment (DEMO_DATA=0
 * and LOG_LEVEL=warn unless given) and resolves once it listens.
 */
export async function startServe(port: number, env: Record<string, string>, timeoutMs = 60_000): Promise<ServeProcess> {
  return (await startNode({ role: 'all', env, port, timeoutMs })) as ServeProcess;
}
