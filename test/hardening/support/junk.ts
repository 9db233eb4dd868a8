import fc from 'fast-check';

/**
 * Hostile input for the fuzz runs: odd text, values of every JSON type, and the field models from
 * which invalid bodies are derived (a valid body with at least one field made wrong).
 */

/** 100 kB of text: above every field limit and, in a body, above the 64 KiB body limit. */
export const HUGE = 'x'.repeat(100_000);

/** Text that is hard on parsers, encoders, renderers and stores. */
export const NASTY_TEXT = [
  '',
  ' ',
  '\t\n\r',
  '\u0000',
  'a\u0000b',
  '\u0007\u001b[31m',
  '\ud800',
  '\udfff',
  'x\ud83d',
  '\ude00y',
  '😀🎉👩‍👩‍👧‍👦',
  '𝕳𝖊𝖑𝖑𝖔',
  '\u202eevil\u202c',
  'שלום עולם',
  'مرحبا بالعالم',
  '\u200b\u200c\u200d\ufeff',
  'e\u0301\u0301\u0301',
  'Ω≈ç√∫˜µ≤≥÷',
  '../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  '%00',
  '%',
  '%zz',
  "' OR '1'='1",
  '"; DROP TABLE messages; --',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '{{7*7}}${7*7}<%= 7*7 %>',
  '%s%s%s%n',
  '__proto__',
  'constructor',
  'prototype',
  'null',
  'undefined',
  'NaN',
  'true',
  '-1',
  '0x1F',
  '1e309',
  '99999999999999999999999',
  'USD',
  'x'.repeat(257),
  'é'.repeat(5_000),
  '😀'.repeat(3_000),
] as const;

/** Any text, from short random strings in every unit to the nasty and the huge. */
export const junkText: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...NASTY_TEXT), weight: 4 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }), weight: 1 },
  { arbitrary: fc.string({ unit: fc.constantFrom('\ud800', '\udc00', '\u0000', '\u202e', 'a', '/'), maxLength: 30 }), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 120 }).map((kilobytes) => 'y'.repeat(kilobytes * 1000)), weight: 1 },
);

/** A JSON value of any type, nesting included; `fc.jsonValue` covers the ordinary ones. */
export const junkValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: junkText, weight: 3 },
  { arbitrary: fc.constantFrom(null, true, false, 0, -0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1, Number.MAX_SAFE_INTEGER, 1e-320), weight: 2 },
  { arbitrary: fc.integer(), weight: 1 },
  { arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 2 },
  { arbitrary: fc.constantFrom([], {}, [null], [[[]]], { a: { b: { c: {} } } }, [HUGE.slice(0, 10)]), weight: 1 },
);

/** Values that are not text (for fields that must be text). */
export const nonText = (nullable: boolean): fc.Arbitrary<unknown> =>
  junkValue.filter((value) => typeof value !== 'string' && (nullable ? value !== null : true));

/** Text that is no e-mail address. */
export const notAnEmail: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '   ', 'plainaddress', '@example.com', 'a@', 'a@b', 'a b@example.com', 'a@exa mple.com', 'a..b@example.com', 'a@example..com', 'a\u0000@example.com', `${'a'.repeat(250)}@example.com`, 'ö@example.com'),
  junkText.filter((text) => !text.includes('@')),
);

/** Text that is no calendar date `YYYY-MM-DD`. */
export const notADate: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', '2030-02-30', '2030-13-01', '2030-00-10', '2030-6-1', '2030/06/12', '12-06-2030', '2030-06-12T00:00:00Z', 'tomorrow', '+02030-06-12', '0000-00-00', '١٢٣٤-٠٦-١٢'),
  junkText.filter((text) => !/^\d{4}-\d{2}-\d{2}$/.test(text.trim())),
);

/** The model of a body field: what its valid values are, so that invalid ones can be derived. */
export type Field =
  | { kind: 'text'; required: boolean; max: number; min?: number; nullable?: boolean; multiline?: boolean }
  | { kind: 'email'; required: boolean }
  | { kind: 'date'; required: boolean }
  | { kind: 'integer'; required: boolean; min: number; max: number }
  | { kind: 'literal'; required: boolean; values: readonly string[] }
  /** A field whose value must be one the server knows (a seat type id, a token…): any other text is wrong. */
  | { kind: 'known'; required: boolean; known: readonly string[]; max?: number };

export type BodyModel = Record<string, Field>;

/** Values that break the field's rule (never a valid one). */
export function invalidValue(field: Field): fc.Arbitrary<unknown> {
  switch (field.kind) {
    case 'text': {
      const wrong: fc.Arbitrary<unknown>[] = [
        nonText(field.nullable ?? false),
        fc.integer({ min: 1, max: 40 }).map((extra) => 'z'.repeat(field.max + extra)),
        fc.integer({ min: 1, max: 5 }).map((extra) => '😀'.repeat(field.max + extra)),
        fc.constantFrom('a\u0000b', 'a\u0007', '\u001b[0m', 'x\u007fy').map((text) => (field.multiline ? text : `${text}\n`)),
      ];
      if (field.required) wrong.push(fc.constantFrom('', '   ', '\t'));
      if (field.min !== undefined && field.min > 1) wrong.push(fc.constant('x'.repeat(field.min - 1)));
      return fc.oneof(...wrong);
    }
    case 'email':
      return fc.oneof(nonText(false), notAnEmail);
    case 'date':
      return fc.oneof(nonText(false), notADate);
    case 'integer':
      return fc.oneof(
        junkValue.filter((value) => typeof value !== 'number' || !Number.isInteger(value) || value < field.min || value > field.max),
        fc.constantFrom(field.min - 1, field.max + 1, field.min - 1000, field.max * 10 + 7, field.min + 0.5, String(field.min + 1)),
      );
    case 'literal':
      return junkValue.filter((value) => !field.values.includes(value as string));
    case 'known':
      return junkValue.filter((value) => !field.known.includes(value as string));
  }
}

/** One change that makes a body invalid, with the field (dotted path) it concerns. */
export interface Mutation {
  field: string;
  apply(body: Record<string, unknown>): void;
}

const EXTRA_NAMES = fc.oneof(
  fc.constantFrom('currency', 'admin', 'isPublished', 'id', 'accessCode', 'constructor', 'toString', 'hasOwnProperty', 'a.b', 'x'.repeat(300), '😀', '\u0000', ' '),
  fc.string({ minLength: 1, maxLength: 12 }),
);

/** Where a dotted path points into a body (the parent object and the key), creating nothing. */
function parentOf(body: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const keys = path.split('.');
  let target: Record<string, unknown> = body;
  for (const key of keys.slice(0, -1)) {
    const next = target[key];
    // An earlier mutation replaced the parent: the change goes nowhere.
    target = typeof next === 'object' && next !== null ? (next as Record<string, unknown>) : {};
  }
  return [target, keys.at(-1)!];
}

/**
 * Mutations of a body by its model: a field set to a wrong value, a required field removed, or a
 * field the body does not have. `path` prefixes nested models (e.g. `registrant.`).
 */
export function mutations(model: BodyModel, prefix = ''): fc.Arbitrary<Mutation> {
  const fields = Object.entries(model);
  const wrongValue = fc.constantFrom(...fields).chain(([name, field]) =>
    invalidValue(field).map(
      (value): Mutation => ({
        field: `${prefix}${name}`,
        apply: (body) => {
          const [parent, key] = parentOf(body, `${prefix}${name}`);
          parent[key] = value;
        },
      }),
    ),
  );
  const required = fields.filter(([, field]) => field.required);
  const removed = required.length
    ? fc.constantFrom(...required).map(
        ([name]): Mutation => ({
          field: `${prefix}${name}`,
          apply: (body) => {
            const [parent, key] = parentOf(body, `${prefix}${name}`);
            delete parent[key];
          },
        }),
      )
    : undefined;
  const extra = EXTRA_NAMES.filter((name) => !(name in model)).chain((name) =>
    junkValue.map(
      (value): Mutation => ({
        field: `${prefix}${name}`,
        apply: (body) => {
          const [parent] = parentOf(body, `${prefix}x`);
          Object.defineProperty(parent, name, { value, enumerable: true, writable: true, configurable: true });
        },
      }),
    ),
  );
  return removed ? fc.oneof({ arbitrary: wrongValue, weight: 3 }, { arbitrary: removed, weight: 1 }, { arbitrary: extra, weight: 1 }) : fc.oneof({ arbitrary: wrongValue, weight: 3 }, { arbitrary: extra, weight: 1 });
}

/** Request content types other than JSON, and none at all. */
export const NOT_JSON_TYPES = [
  'text/plain',
  'text/plain; charset=utf-8',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=----fuzz',
  'application/xml',
  'application/octet-stream',
  'application/jsonx',
  'application/json-patch+json',
  'json',
  '',
  undefined,
] as const;

/**
 * Bodies that are no JSON document (after UTF-8 decoding, as the server reads them), and documents
 * that poison prototypes (which the server refuses).
 */
export const brokenJson: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom<string | Buffer>(
    '',
    ' ',
    '{',
    '}',
    '{"a":',
    '{"a":1,}',
    "{'a': 1}",
    '{a: 1}',
    '[1, 2',
    'NaN',
    'Infinity',
    'undefined',
    '{"a":1}{"b":2}',
    '{"a":1} trailing',
    '{"__proto__": {"polluted": true}}',
    '{"constructor": {"prototype": {"polluted": true}}}',
    '{"a": "\\x41"}',
    '{"a":-}',
    '"unterminated',
    '\u0000',
    `${'['.repeat(30_000)}`,
    Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]),
    Buffer.from([0xc0, 0xaf, 0xe0, 0x80, 0xaf]),
  ),
  fc.string({ maxLength: 60 }).filter((body) => !isJson(body)),
  fc
    .uint8Array({ minLength: 1, maxLength: 200 })
    .map((bytes) => Buffer.from(bytes))
    .filter((body) => !isJson(body)),
);

/**
 * JSON documents a parser takes after all, though odd: deep nesting, broken UTF-8 inside strings
 * (read as U+FFFD), escaped lone surrogates and NUL, a byte order mark.
 */
export const oddJson: readonly (string | Buffer)[] = [
  `${'['.repeat(20_000)}${']'.repeat(20_000)}`,
  `${'{"a":'.repeat(6_000)}1${'}'.repeat(6_000)}`,
  '{"a": "\\ud800"}',
  '{"a": "\\udfff\\ud800"}',
  '{"a": "\\u0000"}',
  '{"a": 1e99999}',
  '\ufeff{}',
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
];

/** The value the server reads from a JSON body (a byte order mark skipped), or undefined when it is none. */
export function parsedJson(body: string | Buffer): unknown {
  try {
    return JSON.parse((Buffer.isBuffer(body) ? body.toString('utf8') : body).replace(/^\ufeff/, ''));
  } catch {
    return undefined;
  }
}

function isJson(body: string | Buffer): boolean {
  return parsedJson(body) !== undefined;
}

/** A JSON text above the 64 KiB body limit, shaped like a body or not. */
export const oversizedJson: fc.Arbitrary<string> = fc.oneof(
  fc.integer({ min: 66, max: 300 }).map((kilobytes) => JSON.stringify({ padding: 'p'.repeat(kilobytes * 1024) })),
  fc.integer({ min: 66, max: 150 }).map((kilobytes) => JSON.stringify(Array.from({ length: kilobytes * 512 }, (_, i) => i % 10))),
  fc.constant(`"${'q'.repeat(1024 * 1024)}"`),
);

/** Stringifies a value as JSON text; a body that cannot be written as JSON (e.g. cycles) is not produced here. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
