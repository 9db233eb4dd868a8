import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/**
 * A pg pool for Kysely that sends parameterised queries as named (server-side prepared) statements,
 * so PostgreSQL parses and plans each distinct SQL text once per connection instead of on every
 * execution (Kysely's PostgresDialect sends unnamed ones). The PostgreSQL counterpart of the SQLite
 * dialect's prepared-statement cache.
 *
 * `maxStatements` bounds the distinct texts given a name (each is prepared on every connection that
 * runs it and kept until the connection closes); texts beyond it run unnamed. A prepared statement
 * keeps its result shape: a migration that changes a table's columns must run before the pool
 * prepares queries on it (migrations run at start, before anything else).
 */
export function namedStatements(pool: pg.Pool, maxStatements = 500): PostgresPool {
  const names = new Map<string, string>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < maxStatements) {
      name = `contoso_${names.size}`;
      names.set(text, name);
    }
    return name;
  };
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  return {
    async connect() {
      const client = await pool.connect();
      let wrapper = wrappers.get(client);
      if (!wrapper) {
        wrapper = {
          query: ((text: string | pg.Submittable, values?: readonly unknown[]) => {
            if (typeof text !== 'string' || values === undefined) return client.query(text as pg.Submittable);
            const name = values.length > 0 ? nameOf(text) : undefined;
            return name ? client.query({ name, text, values: [...values] }) : client.query(text, [...values]);
          }) as unknown as PostgresPoolClient['query'],
          release: () => client.release(),
        };
        wrappers.set(client, wrapper);
      }
      return wrapper;
    },
    end: () => pool.end(),
  };
}
