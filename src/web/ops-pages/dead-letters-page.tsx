import type { DeadLetter } from '../../platform/processing/dead-letters.ts';
import { CsrfField, FieldError } from '../pages/forms.tsx';
import { FilterForm, FilterSelect } from './filter-form.tsx';
import { OpsLayout } from './layout.tsx';
import { logPaths, withQuery } from './log-paths.ts';

/** What the last form did, shown above the list (after its redirect). */
export const DEAD_LETTER_NOTICES = { retried: 'Retry requested: the handlers deliver them again.', discarded: 'Discarded; logged as an operator action.' };
export type DeadLetterNotice = keyof typeof DEAD_LETTER_NOTICES;

interface DeadLettersPageProps {
  csrf: string;
  /** '' = every handler. */
  handler: string;
  letters: DeadLetter[];
  /** Dead letters per handler (all handlers, whatever the filter). */
  counts: Record<string, number>;
  notice?: DeadLetterNotice;
  /** A refused discard: the dead letter and why. */
  discardError?: { id: string; reason: string; message: string };
}

/** The dead letters of every handler (DOMAIN 7.3): inspect, retry one, a selection or a handler's all, discard with a reason. */
export function DeadLettersPage({ csrf, handler, letters, counts, notice, discardError }: DeadLettersPageProps) {
  const handlers = Object.keys(counts).sort();
  return (
    <OpsLayout title="Dead letters" csrf={csrf}>
      <h1>Dead letters</h1>
      {notice && (
        <p class="notice" role="status">
          {DEAD_LETTER_NOTICES[notice]}
        </p>
      )}
      {discardError && (
        <p class="alert" role="alert">
          Not discarded: {discardError.message}
        </p>
      )}
      <FilterForm action={logPaths.deadLetters}>
        <FilterSelect name="handler" label="Handler" value={handler} options={handlers.map((name) => ({ value: name, label: `${name} (${counts[name]})` }))} />
      </FilterForm>
      {handlers.length > 0 && (
        <ul class="handlers">
          {handlers.map((name) => (
            <li key={name}>
              {name}: {counts[name]}{' '}
              <form method="post" action={logPaths.retryDeadLetters} class="inline">
                <CsrfField token={csrf} />
                <input type="hidden" name="handler" value={name} />
                <button type="submit" class="button">
                  Retry all of {name}
                </button>
              </form>
            </li>
          ))}
        </ul>
      )}
      {letters.length === 0 ? (
        <p>No dead letters.</p>
      ) : (
        <>
          <form method="post" action={logPaths.retryDeadLetters} id="retry-selected" class="inline">
            <CsrfField token={csrf} />
            <button type="submit" class="button">
              Retry selected
            </button>
          </form>
          <DeadLetterTable csrf={csrf} letters={letters} discardError={discardError} />
        </>
      )}
    </OpsLayout>
  );
}

function DeadLetterTable({ csrf, letters, discardError }: { csrf: string; letters: DeadLetter[]; discardError?: DeadLettersPageProps['discardError'] }) {
  return (
    <table class="dead-letters">
      <thead>
        <tr>
          <th>Select</th>
          <th>Handler</th>
          <th>Message</th>
          <th>Error</th>
          <th>Attempts</th>
          <th>First failure</th>
          <th>Last failure</th>
          <th>Waiting behind</th>
          <th>Actions</th>
        </tr>
      </thead>
      <tbody>
        {letters.map((letter) => {
          const refused = discardError?.id === letter.id ? discardError : undefined;
          return (
            <tr key={letter.id} id={`dead-letter-${letter.id}`}>
              <td>
                <input type="checkbox" name="ids" value={letter.id} form="retry-selected" aria-label={`Select ${letter.id}`} />
              </td>
              <td>{letter.handler}</td>
              <td>
                <a href={withQuery(logPaths.messages, { after: letter.position - 1, limit: 1 })}>
                  {letter.type} #{letter.position}
                </a>
                <br />
                <small>{letter.messageId}</small>
              </td>
              <td>
                <pre class="error">{letter.error}</pre>
              </td>
              <td>
                {letter.attempts}
                {letter.retryRequested && (
                  <>
                    <br />
                    <small>retry requested</small>
                  </>
                )}
              </td>
              <td>{letter.firstFailedAt}</td>
              <td>{letter.lastFailedAt}</td>
              <td>{letter.waitingBehind}</td>
              <td>
                <form method="post" action={logPaths.retryDeadLetter(letter.id)} class="inline">
                  <CsrfField token={csrf} />
                  <button type="submit" class="button">
                    Retry
                  </button>
                </form>
                <form method="post" action={logPaths.discardDeadLetter(letter.id)} class={refused ? 'form discard invalid' : 'form discard'}>
                  <CsrfField token={csrf} />
                  <label for={`reason-${letter.id}`}>Reason</label>
                  <input id={`reason-${letter.id}`} name="reason" type="text" required value={refused?.reason ?? ''} aria-invalid={refused ? 'true' : undefined} />
                  <FieldError message={refused?.message} />
                  <button type="submit" class="button">
                    Discard
                  </button>
                </form>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
