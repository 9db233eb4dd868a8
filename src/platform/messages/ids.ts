import { v5 as uuidv5, v7 as uuidv7, validate } from 'uuid';

/** A new time-ordered entity or message id. */
export function newId(): string {
  return uuidv7();
}

export function isUuid(value: string): boolean {
  return validate(value);
}

/** A deterministic id derived from a name within a namespace (UUIDv5). */
export function derivedId(namespace: string, name: string): string {
  return uuidv5(name, namespace);
}
