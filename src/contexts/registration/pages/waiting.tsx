import type { FastifyReply } from 'fastify';
import { render } from '../../../web/pages/render.ts';
import type { ConferenceRef } from './order-components.tsx';
import { WAIT_PAGE_REFRESH_SECONDS, WaitingPage } from './outcome-pages.tsx';

/**
 * The waiting page (DOMAIN 6.1), when a read model did not catch up within the wait: it reloads
 * itself after 5 seconds (`Refresh` header and meta element; no script).
 */
export function sendWaitingPage(reply: FastifyReply, conference: ConferenceRef, heading: string): FastifyReply {
  reply.header('refresh', String(WAIT_PAGE_REFRESH_SECONDS));
  return render(reply, <WaitingPage conference={conference} heading={heading} />);
}
