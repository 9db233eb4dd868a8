import { AsyncLocalStorage } from 'node:async_hooks';
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type TableNode,
  type UnknownRow,
} from 'kysely';

/** Logical table name → physical table name. */
export type TableMap = ReadonlyMap<string, string>;

/**
 * Maps logical table names to physical ones in every query of a store (ADR 007): the tables of a
 * read model's live version for everyone, and, inside {@link TableNames.runWith}, the tables of the
 * version being built. With no mapping at all a query goes through untouched.
 */
export class TableNames implements KyselyPlugin {
  #live: TableMap = new Map();
  readonly #override = new AsyncLocalStorage<TableMap>();
  readonly #transformer = new Renamer((table) => this.#override.getStore()?.get(table) ?? this.#live.get(table));

  /** The physical names of the live versions (tables not listed keep their name). */
  get live(): TableMap {
    return this.#live;
  }

  setLive(map: TableMap): void {
    this.#live = map;
  }

  /** Runs `work` with these names overriding the live ones for every query it makes. */
  runWith<T>(map: TableMap, work: () => Promise<T>): Promise<T> {
    return this.#override.run(map, work);
  }

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    if (this.#live.size === 0 && !this.#override.getStore()?.size) return args.node;
    return this.#transformer.transformNode(args.node);
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

class Renamer extends OperationNodeTransformer {
  constructor(private readonly physical: (table: string) => string | undefined) {
    super();
  }

  protected override transformTable(node: TableNode): TableNode {
    const transformed = super.transformTable(node);
    if (transformed.table.schema) return transformed;
    const name = this.physical(transformed.table.identifier.name);
    if (!name) return transformed;
    return { ...transformed, table: { ...transformed.table, identifier: { ...transformed.table.identifier, name } } };
  }
}
