import type { RawRequest, RawResponse } from './http.ts';

/**
 * What a fuzz run expects of every answer, and the record of what it got: requests per endpoint and
 * every answer that broke an expectation, with the request that caused it.
 */

/** What an answer to a request that must be refused may be. */
export interface Expectation {
  /** `api`: the JSON error body; `page`: an HTML page or a redirect. */
  surface: 'api' | 'page';
  /**
   * The body fields made wrong (dotted paths): a 400 must name one of them in `fields` (with a
   * single one, that one).
   */
  fields?: string[];
  /** Statuses besides 4xx that refuse the request here (e.g. 200 for an htmx fragment showing errors). */
  alsoRefusing?: number[];
  /** Pages: where a refusal may redirect (303 back to the form, to the log-in or locate page). */
  refusedTo?: RegExp;
}

export interface Finding {
  endpoint: string;
  problem: string;
  request: string;
  status: number;
  answer: string;
}

/** Signs of internals in an answer: stack frames, module paths, driver and SQL error texts, framework codes. */
const INTERNALS: [string, RegExp][] = [
  ['stack frame', /\n\s+at [^\n]*(\(|\s)(\/|file:|node:)[^\n]*:\d+:\d+/],
  ['stack frame', /^\s{4}at /m],
  ['module path', /node_modules|\/work\/|\/src\/(platform|contexts|web)\//],
  ['error with a path', /\b\w*Error: [^\n]*(\/[\w.-]+){2,}/],
  ['database error', /SQLITE_\w+|SqliteError|better-sqlite3|syntax error at or near|violates (unique|foreign key|not-null|check) constraint|relation "[^"]+" does not exist|invalid byte sequence for encoding|invalid input syntax for type/i],
  ['SQL text', /\b(select\s+[\w"*., ]+\s+from\s+"?\w+"?\s+(where|order|limit)\b|insert\s+into\s+"?\w+"?\s*\(|delete\s+from\s+"?\w+"?\s+where\b|update\s+"?\w+"?\s+set\b)/i],
  ['framework code', /FST_ERR_\w+|ERR_[A-Z_]{6,}/],
  ['kysely', /kysely/i],
];

/** Messages that say nothing about the problem (Fastify's bare status texts). */
const VAGUE = /^(Bad Request|Not Found|Conflict|Unprocessable Entity|Forbidden|Unauthorized|Error|Client Error|Internal Server Error|Payload Too Large|Unsupported Media Type)\.?$/i;

/** How much of a request body a report shows (`FUZZ_BODY_SHOWN` to see more). */
const BODY_SHOWN = Number(process.env.FUZZ_BODY_SHOWN ?? 300);

export function describeRequest(request: RawRequest): string {
  const headers = Object.entries(request.headers ?? {})
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => `${name}: ${shorten(String(value), 80)}`)
    .join(' | ');
  const body =
    request.body === undefined ? '' : Buffer.isBuffer(request.body) ? `<${request.body.length} bytes: ${request.body.subarray(0, 60).toString('hex')}…>` : shorten(request.body, BODY_SHOWN);
  return `${request.method} ${shorten(request.path, 200)} [${headers}]${request.chunked ? ' (chunked)' : ''} ${body}`;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? JSON.stringify(text) : `${JSON.stringify(text.slice(0, max))}…(${text.length} chars)`;
}

interface ErrorBody {
  error?: { code?: unknown; message?: unknown; fields?: unknown };
}

/** The record of one fuzz run (one test file): counts per endpoint and the findings. */
export class FuzzRecord {
  readonly counts = new Map<string, number>();
  readonly findings: Finding[] = [];

  /** Checks an answer to a request that must be refused; answers the problems found (also recorded). */
  refused(endpoint: string, request: RawRequest, response: RawResponse, expectation: Expectation): string[] {
    const problems = [...this.#internals(response), ...this.#refusal(response, expectation)];
    this.#note(endpoint, request, response, problems);
    return problems;
  }

  /** Checks an answer to any request (valid or not): never a 5xx, never internals. */
  answered(endpoint: string, request: RawRequest, response: RawResponse): string[] {
    const problems = [...this.#internals(response), ...(response.status >= 500 ? [`${response.status} server error`] : [])];
    this.#note(endpoint, request, response, problems);
    return problems;
  }

  /** Records a request the server did not answer at all. */
  unanswered(endpoint: string, request: RawRequest, error: unknown): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    this.findings.push({ endpoint, problem: `no answer (${(error as Error).message})`, request: describeRequest(request), status: 0, answer: '' });
  }

  /** Records a failure found outside an answer (e.g. the store changed). */
  fail(endpoint: string, problem: string): void {
    this.findings.push({ endpoint, problem, request: '', status: 0, answer: '' });
  }

  findingsOf(endpoint: string): Finding[] {
    return this.findings.filter((finding) => finding.endpoint === endpoint);
  }

  /** A readable list of findings, at most `max`, each once per endpoint, problem and status. */
  static report(findings: Finding[], max = 40): string {
    const seen = new Set<string>();
    const lines: string[] = [];
    for (const finding of findings) {
      const key = `${finding.endpoint}|${finding.problem}|${finding.status}`;
      if (seen.has(key)) continue;
      seen.add(key);
      lines.push(`${finding.endpoint}: ${finding.problem} (status ${finding.status})\n    request: ${finding.request}\n    answer: ${finding.answer}`);
    }
    const more = lines.length > max ? `\n…and ${lines.length - max} more kinds` : '';
    return `${findings.length} findings, ${lines.length} kinds:\n${lines.slice(0, max).join('\n')}${more}`;
  }

  summary(title: string): string {
    const total = [...this.counts.values()].reduce((sum, count) => sum + count, 0);
    const width = Math.max(...[...this.counts.keys()].map((endpoint) => endpoint.length), 10);
    const lines = [...this.counts].map(([endpoint, count]) => `  ${endpoint.padEnd(width)} ${String(count).padStart(6)}`);
    return `${title}: ${total} requests fuzzed over ${this.counts.size} endpoints\n${lines.join('\n')}\n  ${'total'.padEnd(width)} ${String(total).padStart(6)}`;
  }

  #note(endpoint: string, request: RawRequest, response: RawResponse, problems: string[]): void {
    this.counts.set(endpoint, (this.counts.get(endpoint) ?? 0) + 1);
    for (const problem of problems) {
      this.findings.push({ endpoint, problem, request: describeRequest(request), status: response.status, answer: shorten(response.text, 400) });
    }
  }

  #internals(response: RawResponse): string[] {
    return INTERNALS.filter(([, pattern]) => pattern.test(response.text)).map(([name]) => `internals in the answer (${name})`);
  }

  #refusal(response: RawResponse, expectation: Expectation): string[] {
    const { status } = response;
    if (status >= 500) return [`${status} server error`];
    const location = String(response.headers.location ?? '');
    const redirectedBack = status >= 300 && status < 400 && expectation.refusedTo !== undefined && expectation.refusedTo.test(location);
    const refusing = (status >= 400 && status < 500) || (expectation.alsoRefusing ?? []).includes(status) || redirectedBack;
    if (!refusing) return [`accepted with ${status}${location ? ` (to ${location})` : ''}: the request is invalid and must be refused`];
    if (expectation.surface === 'page') return this.#pageRefusal(response);
    if (status < 400) return [];
    return this.#apiRefusal(response, expectation);
  }

  #pageRefusal(response: RawResponse): string[] {
    if (response.status >= 300 && response.status < 400) {
      const location = String(response.headers.location ?? '');
      return location.startsWith('/') && !location.startsWith('//') ? [] : [`redirect to ${JSON.stringify(location)} leaves the site`];
    }
    const type = String(response.headers['content-type'] ?? '');
    // A form shown again says what is wrong.
    if (response.status === 422 && !/role="alert"|class="field-error"|aria-invalid="true"/.test(response.text)) return ['a form refused (422) without an error shown'];
    if (type.startsWith('text/html')) return [];
    // Errors raised before a site's own handler (the body parser) use the JSON error body.
    if (type.startsWith('application/json')) return this.#apiRefusal(response, { surface: 'api' });
    return response.text === '' ? [] : [`a ${response.status} answer of type ${JSON.stringify(type)}`];
  }

  #apiRefusal(response: RawResponse, expectation: Expectation): string[] {
    let body: ErrorBody;
    try {
      body = JSON.parse(response.text) as ErrorBody;
    } catch {
      return [`a ${response.status} answer that is not JSON`];
    }
    const error = body?.error;
    if (typeof error !== 'object' || error === null) return ['no error object in the answer'];
    const problems: string[] = [];
    if (typeof error.code !== 'string' || error.code === '') problems.push('no error code');
    if (typeof error.message !== 'string' || error.message.trim().length < 8 || VAGUE.test(error.message.trim())) {
      problems.push(`unclear message ${JSON.stringify(error.message)}`);
    }
    if (response.status !== 400 || error.code !== 'validation_failed') return problems;
    const fields = error.fields;
    const wrong = expectation.fields ?? [];
    // A body that is no JSON, or not the JSON expected, has no field to name; a wrong field must be named.
    if (fields === undefined && wrong.length === 0) return problems;
    // The JSON parser refused the body before validation (e.g. a nested `__proto__` key: prototype
    // poisoning): no field was looked at, so none can be named.
    if (fields === undefined && error.message === 'The body is not valid JSON.') return problems;
    if (typeof fields !== 'object' || fields === null || Object.keys(fields).length === 0) return [...problems, 'a validation error without fields'];
    for (const [field, message] of Object.entries(fields)) {
      if (typeof message !== 'string' || message.trim() === '') problems.push(`field ${JSON.stringify(field)} without a message`);
    }
    if (wrong.length > 0 && !wrong.some((path) => Object.keys(fields).some((field) => names(field, path)))) {
      problems.push(`the fields named (${Object.keys(fields).join(', ')}) do not include the wrong one (${wrong.join(', ')})`);
    }
    return problems;
  }
}

/** Whether an error's field names the wrong path: the same, a part of it, or inside it (`seats` for `seats.0.quantity`). */
function names(field: string, path: string): boolean {
  if (field === path || path.startsWith(`${field}.`) || field.startsWith(`${path}.`)) return true;
  // A property without a usable name is reported as the body itself.
  return field === 'body' && /(^|\.)$/.test(path);
}
