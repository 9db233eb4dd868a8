import { Layout } from '../../../web/pages/layout.tsx';
import { CsrfField } from '../../../web/pages/forms.tsx';
import { formatMoney } from '../../../web/pages/format.ts';

export const PROCESSOR_TITLE = 'Simulated Third-party Payment Clearing Processor';

export interface ProcessorPageProps {
  csrf: string;
  paymentId: string;
  token: string;
  /** From the payment, never from the query: "Registration for <conference name>". */
  description: string;
  amount: number;
  /** Same-origin relative paths the answers are posted to (`/{slug}/third-party-payment/accept|reject`). */
  acceptPath: string;
  rejectPath: string;
}

/**
 * The simulated payment processor (DOMAIN 6.1): the payer accepts or rejects; each button posts the
 * one-time token to the site's return address.
 */
export function ProcessorPage({ csrf, paymentId, token, description, amount, acceptPath, rejectPath }: ProcessorPageProps) {
  const answer = (action: string, label: string) => (
    <form method="post" action={action} class="inline">
      <CsrfField token={csrf} />
      <input type="hidden" name="paymentId" value={paymentId} />
      <input type="hidden" name="token" value={token} />
      <button type="submit" class="button">
        {label}
      </button>
    </form>
  );
  return (
    <Layout title={PROCESSOR_TITLE}>
      <h1>{PROCESSOR_TITLE}</h1>
      <p class="payment-item">Item: {description}</p>
      <p class="payment-amount">Amount: {formatMoney(amount)}</p>
      <div class="actions">
        {answer(acceptPath, 'accepted')}
        {answer(rejectPath, 'rejected')}
      </div>
    </Layout>
  );
}

/** The processor's answer to a payment it cannot take (unknown, answered already, or a wrong token). */
export function ProcessorRefusalPage({ message }: { message: string }) {
  return (
    <Layout title={PROCESSOR_TITLE}>
      <h1>{PROCESSOR_TITLE}</h1>
      <p class="alert" role="alert">
        {message}
      </p>
    </Layout>
  );
}
