import fc from 'fast-check';
import type { Probe } from './fuzzer.ts';
import { HUGE, type Mutation, NOT_JSON_TYPES, brokenJson, jsonText, junkText, junkValue, oddJson, oversizedJson, parsedJson } from './junk.ts';
import type { RawRequest } from './http.ts';

/** Percent-encodes every byte of the text's UTF-8 except the unreserved characters (lone surrogates become U+FFFD). */
export function encodeSegment(text: string): string {
  let encoded = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[A-Za-z0-9\-._~]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return encoded;
}

/** Path segments no route should take for an id or a slug: traversal, encoded slashes, bad encodings, huge, unicode. */
export const oddSegment: fc.Arbitrary<string> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2E%2F%2E%2E%2F',
      '..%2F..%2F..%2Fetc%2Fpasswd',
      '..%5C..%5Cwindows',
      '%2F',
      'a%2Fb',
      '%252F',
      '%5C',
      '%00',
      'a%00b',
      '%E0%A4%A',
      '%',
      '%%',
      '%zz',
      '%C0%AF',
      '%ED%A0%80',
      '%FF%FE',
      '%F0%9F%98%80',
      '%D7%A9%D7%9C%D7%95%D7%9D',
      '%E2%80%AE',
      '%20',
      '%0D%0ASet-Cookie:%20x=1',
      '%3F',
      '%23',
      '0',
      '-1',
      '1.5',
      '1e3',
      '0x10',
      '9999999999999999999999999999',
      'NaN',
      'null',
      'undefined',
      '__proto__',
      'constructor',
      '00000000-0000-0000-0000-000000000000',
      'ffffffff-ffff-ffff-ffff-ffffffffffff',
      '{00000000-0000-0000-0000-000000000000}',
      'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
      '00000000-0000-0000-0000-00000000000',
      "'",
      '"',
      '<script>',
      '*',
      '$',
      '@',
      ';',
      ',',
      '~',
      'manage',
      'api',
      'assets',
      'ops',
      'x'.repeat(999),
      'x'.repeat(1001),
      'y'.repeat(8000),
    ),
  },
  { weight: 1, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: junkText.filter((text) => text.length < 3000).map(encodeSegment) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeSegment) },
);

/** Query strings no route expects: bad encodings, duplicates, prototype keys, huge. */
export const oddQuery: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.constantFrom('?', '?a=%zz', '?%', '?__proto__[polluted]=1', '?constructor[prototype][x]=1', '?a=1&a=2&a=3', `?q=${'z'.repeat(6000)}`, '?waitMs=99999999', '?minPosition=-1', '?x=%00', '?;', '?&&&', '?orderId=a&orderId=b', '?orderId[]=x', '?paymentId=a&paymentId=b', '?position=1&position=2', '?version=1&version=2', '?handler=a&handler=b'),
  junkText.filter((text) => text.length < 2000).map((text) => `?${encodeSegment(text)}=${encodeSegment(text)}`),
);

/** Header values Node.js can send, from harmless to hostile (latin-1 only, no line breaks). */
export const junkHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'null', 'undefined', '\u00ff\u00fe', 'Basic', 'Bearer', 'Basic !!!', 'Basic Og==', 'Bearer ' + 'x'.repeat(4000), 'Basic ' + Buffer.from(HUGE.slice(0, 3000)).toString('base64')),
  fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).filter((code) => code !== 0x7f).map((code) => String.fromCharCode(code)), maxLength: 80 }),
);

export interface JsonEndpoint {
  method: string;
  /** A valid path, with `{name}` for each parameter of `params`. */
  path: string;
  params?: Record<string, string>;
  /** The credentials that open the endpoint. */
  headers?: Record<string, string>;
  /** A valid body (the mutations make it invalid). */
  base?: Record<string, unknown>;
  /** Makes the body invalid. Without it, only bodies refused before validation are sent. */
  mutation?: fc.Arbitrary<Mutation>;
  /** Values of any kind that might be a valid body: they are not sent as wild bodies. */
  mayBeValid?: (value: unknown) => boolean;
}

export function pathOf(endpoint: Pick<JsonEndpoint, 'path' | 'params'>, params = endpoint.params ?? {}): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
}

const json = (body: string | Buffer, contentType: string | undefined = 'application/json') => ({ body, contentType });

/**
 * Invalid requests to a JSON endpoint: the valid body with one to three fields made wrong (the 400
 * must name one), any JSON value that is not a valid body, text that is no JSON, the valid body as
 * another media type or none, and bodies over 64 KiB.
 */
export function jsonBodyProbes(endpoint: JsonEndpoint): fc.Arbitrary<Probe> {
  const request = (body: string | Buffer, contentType: string | undefined, fields?: string[], chunked = false): Probe => ({
    request: { method: endpoint.method, path: pathOf(endpoint), headers: { ...endpoint.headers, 'content-type': contentType }, body, chunked },
    expect: { surface: 'api', fields },
  });
  const base = endpoint.base ?? {};
  const arbitraries: fc.WeightedArbitrary<Probe>[] = [
    { weight: 2, arbitrary: brokenJson.map((body) => request(body, 'application/json')) },
    { weight: 1, arbitrary: fc.constantFrom(...NOT_JSON_TYPES).map((type) => request(type?.startsWith('multipart') ? multipart(base) : jsonText(base), type)) },
    { weight: 1, arbitrary: fc.tuple(oversizedJson, fc.boolean()).map(([body, chunked]) => request(body, 'application/json', undefined, chunked)) },
  ];
  if (endpoint.mutation) {
    const mutated = fc.array(endpoint.mutation, { minLength: 1, maxLength: 3 }).map((applied) => {
      const body = structuredClone(base);
      for (const mutation of applied) mutation.apply(body);
      return request(jsonText(body), 'application/json', applied.map((mutation) => mutation.field));
    });
    const mayBeValid = endpoint.mayBeValid ?? (() => false);
    const odd = oddJson.filter((body) => !mayBeValid(parsedJson(body)));
    arbitraries.push(
      { weight: 8, arbitrary: mutated },
      { weight: 2, arbitrary: junkValue.filter((value) => !mayBeValid(value)).map((value) => request(jsonText(value), 'application/json')) },
      { weight: 1, arbitrary: fc.constantFrom(...odd).map((body) => request(body, 'application/json')) },
    );
  }
  return fc.oneof(...arbitraries);
}

function multipart(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields).map(([name, value]) => `------fuzz\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n${jsonText(value)}\r\n`);
  return `${parts.join('')}------fuzz--\r\n`;
}

/**
 * The valid body sent to odd paths: each parameter in turn replaced by an odd segment, or an odd
 * query string added. `isValid` says which parameter values the endpoint would take (never sent).
 */
export function oddPathProbes(endpoint: JsonEndpoint, isValid: (name: string, value: string) => boolean = () => false): fc.Arbitrary<Probe> {
  const names = Object.keys(endpoint.params ?? {});
  const body = endpoint.base ? jsonText(endpoint.base) : undefined;
  const probe = (path: string): Probe => ({
    request: { method: endpoint.method, path, headers: { ...endpoint.headers, ...(body ? { 'content-type': 'application/json' } : {}) }, body },
    expect: { surface: 'api' },
  });
  const oddParam = names.length
    ? fc
        .tuple(fc.constantFrom(...names), oddSegment, oddQuery)
        .filter(([name, segment]) => !isValid(name, safeDecode(segment)))
        .map(([name, segment, query]) => probe(`${pathOf(endpoint, { ...endpoint.params, [name]: segment })}${query}`))
    : undefined;
  const oddShape = fc
    .constantFrom('/', '//', '/..', '/.', '%2F', '/x', `/${'w'.repeat(3000)}`)
    .filter((suffix) => suffix !== '/' || !endpoint.path.endsWith('/'))
    .map((suffix) => probe(`${pathOf(endpoint)}${suffix}`));
  return oddParam ? fc.oneof({ weight: 4, arbitrary: oddParam }, { weight: 1, arbitrary: oddShape }) : oddShape;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * The valid body with wrong credentials in `header` (junk, or `wrong` ones that look right); with
 * `fixedClient`, all from one client, so that the rate limit answers 429 after a few.
 */
export function credentialProbes(endpoint: JsonEndpoint, header: string, wrong: fc.Arbitrary<string>): fc.Arbitrary<Probe> {
  const body = endpoint.base ? jsonText(endpoint.base) : undefined;
  return fc.oneof(junkHeader, wrong, fc.constant(undefined)).map(
    (value): Probe => ({
      request: {
        method: endpoint.method,
        path: pathOf(endpoint),
        headers: { ...endpoint.headers, [header]: value, ...(body ? { 'content-type': 'application/json' } : {}) },
        body,
      },
      expect: { surface: 'api' },
    }),
  );
}

/** One request as a probe, for fixed lists. */
export function fixedProbe(request: RawRequest, surface: 'api' | 'page' = 'api'): Probe {
  return { request, expect: { surface } };
}
