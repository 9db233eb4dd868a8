import type { MessageHandler } from '../processing/handler.ts';

/**
 * A read model that is rebuilt, versioned and switched as one (ADR 007): the projections that write
 * its tables and those tables. Projections that write the same table belong to one unit.
 */
export interface ReadModelUnit {
  /** The unit's own name (versions are recorded under it). */
  readonly name: string;
  /** The read-model names of the operator API and CLI that this unit answers (API.md Operator). */
  readonly names: readonly string[];
  readonly handlers: readonly MessageHandler[];
  /** Logical names of the tables its projections own (version 1's physical names). */
  readonly tables: readonly string[];
}

/** The physical name of a table (or index) in a version: version 1 keeps the name the migrations gave. */
export function physicalName(name: string, version: number): string {
  return version === 1 ? name : `${name}__v${version}`;
}

/** The unit's tables in a version, as a logical → physical map. */
export function versionTables(unit: ReadModelUnit, version: number): Map<string, string> {
  return new Map(unit.tables.map((table) => [table, physicalName(table, version)]));
}

/** The unit answering a read-model name (or its own name). */
export function findUnit(units: readonly ReadModelUnit[], name: string): ReadModelUnit | undefined {
  return units.find((unit) => unit.name === name || unit.names.includes(name));
}
