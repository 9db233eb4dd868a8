import type { LoggedMessage } from '../../platform/messages/envelope.ts';
import { FilterForm } from './filter-form.tsx';
import { OpsLayout } from './layout.tsx';
import { logPaths, withQuery } from './log-paths.ts';
import { payloadSummary } from './messages-page.tsx';

interface TimelinePageProps {
  csrf: string;
  correlationId: string;
  messages: LoggedMessage[];
  /** The `after` of the next page; null on the last. */
  next: number | null;
}

/** Everything of one business flow (an order, a conference: its correlation id), in log order (DOMAIN 7.1). */
export function TimelinePage({ csrf, correlationId, messages, next }: TimelinePageProps) {
  return (
    <OpsLayout title={`Timeline ${correlationId}`} csrf={csrf}>
      <h1>Timeline</h1>
      <FilterForm action={logPaths.timeline} submit="Show">
        <div class="field">
          <label for="correlationId">Correlation id (order or conference id)</label>
          <input id="correlationId" name="correlationId" type="text" value={correlationId} />
        </div>
      </FilterForm>
      {correlationId !== '' && (
        <>
          <p>
            <a href={withQuery(logPaths.messages, { correlationId })}>In the message log</a>
          </p>
          {messages.length === 0 ? <p>Nothing in the log for {correlationId}.</p> : <Timeline messages={messages} />}
        </>
      )}
      {next !== null && (
        <p>
          <a href={withQuery(logPaths.timeline, { correlationId, after: next })} rel="next">
            Later entries
          </a>
        </p>
      )}
    </OpsLayout>
  );
}

function Timeline({ messages }: { messages: LoggedMessage[] }) {
  return (
    <ol class="timeline">
      {messages.map((message) => {
        const m = message.metadata;
        return (
          <li key={m.messageId} value={m.position}>
            <time>{m.createdAt}</time> <strong class="type">{message.type}</strong> <small>{m.kind}</small> from{' '}
            <a href={withQuery(logPaths.messages, { sourceType: m.sourceType, sourceId: m.sourceId })}>
              {m.sourceType} {m.sourceId}
              {m.version !== null && ` v${m.version}`}
            </a>
            <br />
            <code>{payloadSummary(message.data)}</code>
          </li>
        );
      })}
    </ol>
  );
}
