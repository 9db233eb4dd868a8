import type { Static, TSchema } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { Message, MessageKind, Metadata } from './envelope.ts';

/** A message type: its kind, current schema version and the TypeBox schema of its payload. */
export interface MessageDefinition<S extends TSchema = TSchema> {
  type: string;
  kind: MessageKind;
  schema: S;
  /** Current payload schema version (1 unless the type has evolved). */
  schemaVersion?: number;
}

/**
 * Turns a stored payload of `fromType` at `fromVersion` into the next shape. An upcaster may rename the
 * type (e.g. legacy `OrderPaymentConfirmed` → `OrderConfirmed`) and may read the entry's metadata
 * (values the V1 importer derived for it).
 */
export interface Upcaster {
  fromType: string;
  fromVersion: number;
  toType?: string;
  toVersion: number;
  upcast(data: unknown, metadata: Metadata): unknown;
}

export interface FieldError {
  path: string;
  message: string;
}

/** A stored message the registry cannot turn into a current one: it is dead-lettered at once. */
export class UndecodableMessageError extends Error {
  override readonly name = 'UndecodableMessageError';
}

interface Registered {
  definition: MessageDefinition;
  schemaVersion: number;
  validator: Validator;
}

export class MessageRegistry {
  readonly #types = new Map<string, Registered>();
  readonly #upcasters = new Map<string, Upcaster>();

  define<S extends TSchema>(definition: MessageDefinition<S>): MessageDefinition<S> {
    if (this.#types.has(definition.type)) throw new Error(`Message type ${definition.type} is defined twice`);
    this.#types.set(definition.type, {
      definition,
      schemaVersion: definition.schemaVersion ?? 1,
      validator: Compile(definition.schema) as unknown as Validator,
    });
    return definition;
  }

  addUpcaster(upcaster: Upcaster): void {
    const key = upcasterKey(upcaster.fromType, upcaster.fromVersion);
    if (this.#upcasters.has(key)) throw new Error(`Two upcasters from ${key}`);
    this.#upcasters.set(key, upcaster);
  }

  has(type: string): boolean {
    return this.#types.has(type);
  }

  definition(type: string): MessageDefinition | undefined {
    return this.#types.get(type)?.definition;
  }

  schemaVersion(type: string): number {
    const registered = this.#types.get(type);
    if (!registered) throw new Error(`Unknown message type ${type}`);
    return registered.schemaVersion;
  }

  /** Field errors of a payload against its type's schema; empty when valid. */
  validate(type: string, data: unknown): FieldError[] {
    const registered = this.#types.get(type);
    if (!registered) return [{ path: '', message: `Unknown message type ${type}` }];
    if (registered.validator.Check(data)) return [];
    return [...registered.validator.Errors(data)].map((error) => ({
      path: error.instancePath,
      message: error.message,
    }));
  }

  parse<S extends TSchema>(definition: MessageDefinition<S>, data: unknown): Static<S> {
    const errors = this.validate(definition.type, data);
    if (errors.length > 0) {
      throw new UndecodableMessageError(
        `${definition.type}: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`,
      );
    }
    return data as Static<S>;
  }

  /** Stored type names that read as `type` (the type itself and every name upcast into it). */
  storedNamesOf(type: string): string[] {
    const names = new Set([type]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const upcaster of this.#upcasters.values()) {
        if (names.has(upcaster.toType ?? upcaster.fromType) && !names.has(upcaster.fromType)) {
          names.add(upcaster.fromType);
          grew = true;
        }
      }
    }
    return [...names];
  }

  /**
   * Applies upcasters until the message has its type's current schema version. Unknown types, missing
   * upcasters and undecodable payloads raise {@link UndecodableMessageError}.
   */
  upcast(message: Message): Message {
    let { type, data } = message;
    let version = message.metadata.schemaVersion;
    for (;;) {
      const registered = this.#types.get(type);
      if (registered && version === registered.schemaVersion) break;
      const upcaster = this.#upcasters.get(upcasterKey(type, version));
      if (!upcaster) {
        throw new UndecodableMessageError(
          registered
            ? `No upcaster for ${type} from schema version ${version} to ${registered.schemaVersion}`
            : `Unknown message type ${type}`,
        );
      }
      try {
        data = upcaster.upcast(data, message.metadata);
      } catch (error) {
        throw new UndecodableMessageError(
          `Cannot upcast ${type} from schema version ${version}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      type = upcaster.toType ?? type;
      version = upcaster.toVersion;
    }
    if (type === message.type && version === message.metadata.schemaVersion) return message;
    return { type, data, metadata: { ...message.metadata, schemaVersion: version } };
  }

  /**
   * What a handler gets: the message upcast to its current shape and checked against its schema. A
   * message that cannot be read or does not match raises {@link UndecodableMessageError}.
   */
  decode<M extends Message>(message: M): M {
    const current = this.upcast(message) as M;
    const errors = this.validate(current.type, current.data);
    if (errors.length > 0) {
      throw new UndecodableMessageError(
        `${current.type} does not match its schema: ${errors.map((e) => `${e.path || '/'} ${e.message}`).join('; ')}`,
      );
    }
    return current;
  }
}

function upcasterKey(type: string, version: number): string {
  return `${type}@${version}`;
}
