/**
 * Reading V1 payloads (V1-LAYOUT "Payloads"): JSON objects whose `$type` is
 * `"<Namespace>.<TypeName>, <Assembly>"`, with PascalCase field names; events also carry
 * `SourceId` and `Version`.
 */

/** The type name of a V1 payload: the part of `$type` after the last dot before the comma. */
export function v1TypeName(payload: unknown): string {
  const type = (payload as { $type?: unknown } | null)?.$type;
  if (typeof type !== 'string') throw new Error('V1 payload without $type');
  const qualified = type.split(',')[0].trim();
  return qualified.slice(qualified.lastIndexOf('.') + 1);
}

/** PascalCase → camelCase (`SeatType` → `seatType`, `Id` → `id`). */
export function camelCase(name: string): string {
  return name.length === 0 ? name : name[0].toLowerCase() + name.slice(1);
}

const ENVELOPE_FIELDS = new Set(['$type', 'SourceId', 'Version']);

/**
 * A V1 payload in V2 naming: `$type` dropped at every level, `SourceId` and `Version` at the top
 * level, field names camelCased; `convert` may replace a (camelCased) field's value.
 */
export function v2Fields(payload: unknown, convert: (field: string, value: unknown) => unknown = (_, v) => v): Record<string, unknown> {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new Error('V1 payload is not an object');
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (ENVELOPE_FIELDS.has(key)) continue;
    const field = camelCase(key);
    result[field] = convert(field, nested(value, convert));
  }
  return result;
}

function nested(value: unknown, convert: (field: string, value: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => nested(item, convert));
  if (value === null || typeof value !== 'object') return value;
  const result: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === '$type') continue;
    const field = camelCase(key);
    result[field] = convert(field, nested(inner, convert));
  }
  return result;
}
