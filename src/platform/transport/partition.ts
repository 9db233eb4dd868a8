/** Partitions of the distributed transport (ARCHITECTURE 2). */
export const PARTITIONS = 16;

/** 32-bit FNV-1a of the UTF-8 bytes of `key`. */
export function fnv1a32(key: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, 'utf8')) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** The partition of a partition key (see `partitionKey`): FNV-1a mod 16. */
export function partitionOf(key: string, partitions = PARTITIONS): number {
  return fnv1a32(key) % partitions;
}
