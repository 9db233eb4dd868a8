import type { ExpressionBuilder, UpdateObject } from 'kysely';

/**
 * The `ON CONFLICT … DO UPDATE SET` of a multi-row upsert: every column of `row` but the conflict
 * key(s) takes the value the refused row carried (`excluded.<column>`, on SQLite and PostgreSQL).
 */
export function excludedColumns<DB, TB extends keyof DB & string>(
  row: Record<string, unknown>,
  ...keys: string[]
): (eb: ExpressionBuilder<DB, TB>) => UpdateObject<DB, TB> {
  const columns = Object.keys(row).filter((column) => !keys.includes(column));
  return (eb) =>
    Object.fromEntries(columns.map((column) => [column, eb.ref(`excluded.${column}` as never)])) as UpdateObject<DB, TB>;
}

/** Items grouped by a key, each group in the items' order. */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
