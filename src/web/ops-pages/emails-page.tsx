import type { RecordedEmail } from '../../contexts/notifications/email-log.ts';
import { EMAIL_STATUSES, type EmailStatus } from '../../contexts/notifications/schema.ts';
import { FilterForm, FilterSelect } from './filter-form.tsx';
import { OpsLayout } from './layout.tsx';
import { opsPaths } from './paths.ts';

/** The filters of the e-mails page, as in its query string. */
export interface EmailsQuery {
  /** Recipient, any case; '' = all. */
  to: string;
  /** '' = all. */
  status: EmailStatus | '';
}

interface EmailsPageProps {
  csrf: string;
  query: EmailsQuery;
  emails: RecordedEmail[];
  /** The `after` cursor of the next page; null on the last. */
  next: string | null;
}

/** Every recorded e-mail (DOMAIN 3.4), newest first, a page at a time. */
export function EmailsPage({ csrf, query, emails, next }: EmailsPageProps) {
  return (
    <OpsLayout title="E-mails" csrf={csrf}>
      <h1>E-mails</h1>
      <FilterForm action={opsPaths.emails}>
        <div class="field">
          <label for="to">Recipient</label>
          <input id="to" name="to" type="text" value={query.to} />
        </div>
        <FilterSelect name="status" label="Status" value={query.status} options={EMAIL_STATUSES.map((status) => ({ value: status, label: status }))} />
      </FilterForm>
      {emails.length === 0 ? <p>No e-mails.</p> : <EmailTable emails={emails} />}
      {next !== null && (
        <p>
          <a href={`${opsPaths.emails}?${nextPageQuery(query, next)}`} rel="next">
            Next page
          </a>
        </p>
      )}
    </OpsLayout>
  );
}

function EmailTable({ emails }: { emails: RecordedEmail[] }) {
  return (
    <table>
      <thead>
        <tr>
          <th>Recorded at</th>
          <th>To</th>
          <th>Subject</th>
          <th>Status</th>
          <th>Sent at</th>
        </tr>
      </thead>
      <tbody>
        {emails.map((email) => (
          <tr key={email.id}>
            <td>{email.createdAt}</td>
            <td>{email.to}</td>
            <td>
              <details>
                <summary>{email.subject}</summary>
                <pre>{email.body}</pre>
              </details>
            </td>
            <td>
              <DeliveryState email={email} />
            </td>
            <td>{email.sentAt ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function DeliveryState({ email }: { email: RecordedEmail }) {
  return (
    <>
      {email.status}
      {email.attempts > 0 && ` (${email.attempts} ${email.attempts === 1 ? 'attempt' : 'attempts'})`}
      {email.lastError !== null && (
        <>
          <br />
          <small>{email.lastError}</small>
        </>
      )}
    </>
  );
}

function nextPageQuery(query: EmailsQuery, after: string): string {
  const params = new URLSearchParams();
  if (query.to !== '') params.set('to', query.to);
  if (query.status !== '') params.set('status', query.status);
  params.set('after', after);
  return params.toString();
}
