import fc from 'fast-check';
import type { Probe } from './fuzzer.ts';
import { type Field, invalidValue, junkText, notAnEmail, notADate } from './junk.ts';
import { encodeSegment, oddQuery, oddSegment } from './probes.ts';

/** A browser's session on the sites: its cookies and the CSRF token of a page it saw. */
export interface Session {
  cookie: string;
  csrf: string;
}

/** A change of a form that makes it invalid, with the field it concerns. */
export interface FormMutation {
  field: string;
  apply(form: FormFields): void;
}

/** Form fields as sent: a value, or several (a repeated field). */
export type FormFields = Record<string, string | string[]>;

export interface FormEndpoint {
  /** A path the form posts to, with `{name}` for each parameter of `params`. */
  path: string;
  params?: Record<string, string>;
  /** A query string the form's path carries (e.g. `?orderId=…`). */
  query?: string;
  session: Session;
  /** The form's fields (without the CSRF token); valid unless the endpoint refuses every value. */
  base: FormFields;
  /** Makes the form invalid; without it, the form is only sent with wrong CSRF tokens, odd paths and odd bodies. */
  mutation?: fc.Arbitrary<FormMutation>;
  /** Statuses besides 4xx that refuse here (e.g. 200 for an htmx fragment showing the errors, 303 back). */
  alsoRefusing?: number[];
  /** Where a refusal may redirect (303): the form again, the log-in or locate page. */
  refusedTo?: RegExp;
  /** False when a form without its fields is valid (it changes nothing). */
  needsFields?: boolean;
  /** Extra headers (e.g. `hx-request`). */
  headers?: Record<string, string>;
}

const FORM = 'application/x-www-form-urlencoded';

/** Form text that is a value of a field of this kind, but breaks its rule (a form sends only text). */
export function invalidText(field: Field): fc.Arbitrary<string> {
  switch (field.kind) {
    case 'email':
      return notAnEmail;
    case 'date':
      return notADate;
    case 'integer':
      return fc.oneof(
        fc.constantFrom(String(field.min - 1), String(field.max + 1), '1.5', 'abc', '1e3', '0x10', '--1', '١٢', '99999999999999999999999', '½'),
        junkText.filter((text) => !/^\s*[+-]?\d*\s*$/.test(text)),
      );
    default:
      return invalidValue(field).filter((value): value is string => typeof value === 'string');
  }
}

/** A field set to a wrong value, sent twice (which reads as empty), or left out (when required). */
export function formMutations(fields: Record<string, Field>): fc.Arbitrary<FormMutation> {
  const entries = Object.entries(fields);
  const wrong = fc.constantFrom(...entries).chain(([name, field]) =>
    invalidText(field).map(
      (value): FormMutation => ({
        field: name,
        apply: (form) => {
          form[name] = value;
        },
      }),
    ),
  );
  const required = entries.filter(([, field]) => field.required);
  if (required.length === 0) return wrong;
  const gone = fc.constantFrom(...required).chain(([name]) =>
    fc.constantFrom<FormMutation>(
      { field: name, apply: (form) => void delete form[name] },
      { field: name, apply: (form) => void (form[name] = ['a', 'b']) },
    ),
  );
  return fc.oneof({ weight: 4, arbitrary: wrong }, { weight: 1, arbitrary: gone });
}

/** Fields no form has: they must be ignored. */
const noise: fc.Arbitrary<FormFields> = fc.dictionary(
  fc.oneof(fc.constantFrom('__proto__', 'constructor', 'admin', 'a[b]', 'a.b', ''), fc.string({ maxLength: 10 })),
  fc.oneof(junkText.filter((text) => text.length < 2000), fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 })),
  { maxKeys: 3 },
);

export function formPath(endpoint: Pick<FormEndpoint, 'path' | 'params' | 'query'>, params = endpoint.params ?? {}): string {
  return endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]) + (endpoint.query ?? '');
}

/** `application/x-www-form-urlencoded` text of the fields, repeated fields repeated, names and values percent-encoded. */
export function urlencoded(fields: FormFields): string {
  return Object.entries(fields)
    .flatMap(([name, value]) => [value].flat().map((item) => `${encodeSegment(name)}=${encodeSegment(item)}`))
    .join('&');
}

/**
 * Invalid submissions of a form: fields made wrong (with the valid CSRF token), the form with a
 * missing, foreign or garbled CSRF token, as another media type, over 64 KiB, or with broken
 * encodings.
 */
export function formProbes(endpoint: FormEndpoint, foreignCsrf: string): fc.Arbitrary<Probe> {
  const { session } = endpoint;
  const probe = (body: string | undefined, contentType: string | undefined, extra: Record<string, string | undefined> = {}): Probe => ({
    request: {
      method: 'POST',
      path: formPath(endpoint),
      headers: { accept: 'text/html', cookie: session.cookie, ...endpoint.headers, 'content-type': contentType, ...extra },
      body,
    },
    expect: { surface: 'page', alsoRefusing: endpoint.alsoRefusing, refusedTo: endpoint.refusedTo },
  });
  const withToken = (fields: FormFields, token: string | string[] | null = session.csrf) => urlencoded({ ...(token === null ? {} : { _csrf: token }), ...fields });

  const badToken = fc.oneof(
    fc.constantFrom<string | string[] | null>(null, '', ' ', foreignCsrf, [session.csrf, session.csrf], [session.csrf, 'x'], `${session.csrf}x`, session.csrf.slice(1), session.csrf.toUpperCase()),
    junkText.filter((text) => text !== session.csrf && text.length < 3000),
  );
  const arbitraries: fc.WeightedArbitrary<Probe>[] = [
    { weight: 2, arbitrary: badToken.map((token) => probe(withToken(endpoint.base, token), FORM)) },
    // The token in the header htmx uses, wrong; or right, without the session it belongs to.
    { weight: 1, arbitrary: badToken.map((token) => probe(withToken(endpoint.base, null), FORM, { 'x-csrf-token': typeof token === 'string' && /^[\x20-\x7e]*$/.test(token) ? token : 'x' })) },
    { weight: 1, arbitrary: fc.constant(probe(withToken(endpoint.base), FORM, { cookie: undefined })) },
    // Other media types: the token cannot be read (or the body at all).
    {
      weight: 1,
      arbitrary: fc.constantFrom('text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/octet-stream', undefined, '').map((type) => probe(withToken(endpoint.base), type)),
    },
    { weight: 1, arbitrary: fc.integer({ min: 66, max: 200 }).map((kilobytes) => probe(withToken({ ...endpoint.base, padding: 'p'.repeat(kilobytes * 1024) }), FORM)) },
  ];
  if (endpoint.mutation && endpoint.needsFields !== false) {
    // Broken encodings, the form's fields left out: only where that makes the form invalid.
    arbitraries.push({ weight: 1, arbitrary: fc.constantFrom('%', '%zz', '&&&', '=', '==&==', 'a=%E0%A4%A', '%00=%00', '_csrf').map((raw) => probe(`${raw}&${withToken({})}`, FORM)) });
    const mutated = fc.tuple(fc.array(endpoint.mutation, { minLength: 1, maxLength: 3 }), noise).map(([applied, extra]) => {
      const form: FormFields = { ...extra, ...structuredClone(endpoint.base) };
      for (const mutation of applied) mutation.apply(form);
      return form;
    });
    arbitraries.push(
      { weight: 8, arbitrary: mutated.map((form) => probe(withToken(form), FORM)) },
      // The same as JSON, which the sites also read (the token included).
      { weight: 1, arbitrary: mutated.map((form) => probe(JSON.stringify({ _csrf: session.csrf, ...form }), 'application/json')) },
    );
  }
  return fc.oneof(...arbitraries);
}

/** The form (valid CSRF token) posted to odd paths: each parameter in turn an odd segment, or an odd query. */
export function oddFormPaths(endpoint: FormEndpoint, isValid: (name: string, value: string) => boolean = () => false): fc.Arbitrary<Probe> {
  const names = Object.keys(endpoint.params ?? {});
  const body = urlencoded({ _csrf: endpoint.session.csrf, ...endpoint.base });
  const probe = (path: string): Probe => ({
    request: { method: 'POST', path, headers: { accept: 'text/html', cookie: endpoint.session.cookie, ...endpoint.headers, 'content-type': FORM }, body },
    expect: { surface: 'page', alsoRefusing: endpoint.alsoRefusing, refusedTo: endpoint.refusedTo },
  });
  return fc
    .tuple(names.length ? fc.constantFrom(...names) : fc.constant(undefined), oddSegment, oddQuery)
    .filter(([name, segment]) => name === undefined || !isValid(name, decoded(segment)))
    .map(([name, segment, query]) => probe(name === undefined ? `${formPath(endpoint)}${query.replace(/^\?/, endpoint.query ? '&' : '?')}` : `${formPath(endpoint, { ...endpoint.params, [name]: segment })}${query}`));
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
