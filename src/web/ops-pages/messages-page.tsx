import type { FieldErrors } from '../../contexts/shared/field-checks.ts';
import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import { extraMetadata } from '../../platform/messages/envelope.ts';
import { Field } from '../pages/forms.tsx';
import { FilterForm } from './filter-form.tsx';
import { OpsLayout } from './layout.tsx';
import { LOG_KINDS, type LogQuery } from './log-filter.ts';
import { logPaths, withQuery } from './log-paths.ts';

interface MessagesPageProps {
  csrf: string;
  query: LogQuery;
  errors?: FieldErrors;
  messages: LoggedMessage[];
  /** The `after` of the next page; null on the last. */
  next: number | null;
}

/** The message log (DOMAIN 7.1): every filter of `GET /api/ops/messages`, in position order, a page at a time. */
export function MessagesPage({ csrf, query, errors, messages, next }: MessagesPageProps) {
  return (
    <OpsLayout title="Message log" csrf={csrf}>
      <h1>Message log</h1>
      <FilterForm action={logPaths.messages}>
        <p>Several values of one filter: separate them with commas (any of them matches); filters combine (all must match).</p>
        <Field name="kind" label={`Kind (${LOG_KINDS.join(', ')})`} value={query.kind} errors={errors} />
        <Field name="type" label="Type" value={query.type} errors={errors} />
        <Field name="sourceType" label="Source type" value={query.sourceType} errors={errors} />
        <Field name="sourceId" label="Source id" value={query.sourceId} errors={errors} />
        <Field name="correlationId" label="Correlation id" value={query.correlationId} errors={errors} />
        <Field name="from" label="From (inclusive, e.g. 2024-05-01T10:00:00Z)" value={query.from} errors={errors} />
        <Field name="until" label="Until (exclusive)" value={query.until} errors={errors} />
        <Field name="after" label="After position" value={query.after} errors={errors} />
        <Field name="limit" label="Per page" value={query.limit} errors={errors} />
      </FilterForm>
      {errors ? null : messages.length === 0 ? <p>No messages.</p> : <MessageTable messages={messages} />}
      {next !== null && (
        <p>
          <a href={withQuery(logPaths.messages, { ...query, after: next })} rel="next">
            Next page
          </a>
        </p>
      )}
    </OpsLayout>
  );
}

function MessageTable({ messages }: { messages: LoggedMessage[] }) {
  return (
    <table class="log">
      <thead>
        <tr>
          <th>Position</th>
          <th>Time</th>
          <th>Kind</th>
          <th>Type</th>
          <th>Source</th>
          <th>Version</th>
          <th>Ids</th>
          <th>Payload</th>
        </tr>
      </thead>
      <tbody>
        {messages.map((message) => (
          <MessageRow key={message.metadata.messageId} message={message} />
        ))}
      </tbody>
    </table>
  );
}

function MessageRow({ message }: { message: LoggedMessage }) {
  const m = message.metadata;
  const extra = { ...extraMetadata(m), ...(m.target != null ? { target: m.target } : {}) };
  return (
    <tr class="message">
      <td>{m.position}</td>
      <td>{m.createdAt}</td>
      <td>{m.kind}</td>
      <td>
        {message.type}
        {m.schemaVersion !== 1 && <small> (schema {m.schemaVersion})</small>}
      </td>
      <td>
        <a href={withQuery(logPaths.messages, { sourceType: m.sourceType, sourceId: m.sourceId })} class="source">
          {m.sourceType} {m.sourceId}
        </a>
      </td>
      <td>{m.version ?? ''}</td>
      <td>
        <dl>
          <dt>message</dt>
          <dd>{m.messageId}</dd>
          <dt>causation</dt>
          <dd>{m.causationId ?? '—'}</dd>
          <dt>correlation</dt>
          <dd>{m.correlationId === null ? '—' : <a href={withQuery(logPaths.timeline, { correlationId: m.correlationId })}>{m.correlationId}</a>}</dd>
        </dl>
      </td>
      <td>
        <details>
          <summary>{payloadSummary(message.data)}</summary>
          <pre class="payload">{JSON.stringify(message.data, null, 2)}</pre>
          {Object.keys(extra).length > 0 && <pre class="metadata">{JSON.stringify(extra, null, 2)}</pre>}
        </details>
      </td>
    </tr>
  );
}

const SUMMARY_LENGTH = 120;

/** A payload's first fields on one line, cut to a readable length. */
export function payloadSummary(data: unknown): string {
  const text = JSON.stringify(data) ?? 'null';
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}
