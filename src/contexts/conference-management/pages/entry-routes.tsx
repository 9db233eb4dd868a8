import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { CredentialLimits } from '../../../web/credential-limits.ts';
import { render } from '../../../web/pages/render.ts';
import { type RateLimit, RateLimiter, TOO_MANY_ATTEMPTS } from '../../../web/rate-limiter.ts';
import { ConflictError } from '../../../platform/store/errors.ts';
import { type FieldErrors, ValidationError } from '../../shared/field-checks.ts';
import { MAX_EMAIL_LENGTH, checkEmail, emailKey } from '../../shared/text-rules.ts';
import { Conferences } from '../conferences.ts';
import { conferenceCreations } from '../creation-limit.ts';
import { locateConference } from '../owner-access.ts';
import { recoverAccessCodes } from './access-code-recovery.ts';
import { EMPTY_NEW_CONFERENCE, NEW_CONFERENCE_FIELDS, newConferenceInput } from './conference-form.tsx';
import { CreatePage } from './create-page.tsx';
import { formText, formTexts } from './forms.ts';
import { HomePage } from './home-page.tsx';
import { ACCESS_CODE_REQUIRED, EMAIL_REQUIRED, LOCATE_FAILED, LoginPage } from './login-page.tsx';
import { paths } from './paths.ts';
import { RECOVERY_ANSWER, RecoverPage } from './recover-page.tsx';
import { type ManagementSiteOptions, PAGE } from './options.ts';
import { endManagement, grantConference, visitorOf } from './session.ts';

const FIFTEEN_MINUTES = 15 * 60 * 1000;
/** API.md: access-code recovery allows 10 requests per 15 minutes per client IP and per e-mail. */
const RECOVERIES_PER_CLIENT: RateLimit = { name: 'recovery-client', max: 10, windowMs: FIFTEEN_MINUTES };
const RECOVERIES_PER_EMAIL: RateLimit = { name: 'recovery-email', max: 10, windowMs: FIFTEEN_MINUTES };

/** Answers 429 with `Retry-After`; the caller shows the page again with {@link TOO_MANY_ATTEMPTS}. */
function tooManyAttempts(reply: FastifyReply, retryAfterSeconds: number): number {
  reply.header('retry-after', String(retryAfterSeconds));
  return 429;
}

/** The rate-limit key of an e-mail entered (longer input cannot be an address: it is cut). */
const emailTarget = (email: string) => `email:${emailKey(email).slice(0, MAX_EMAIL_LENGTH + 1)}`;

/** The pages outside any conference: home, log in, recover, create, log out. */
export function entryRoutes({ store, publicUrl, conferenceCreationLimit }: ManagementSiteOptions): FastifyPluginAsync {
  return async (app) => {
    const conferences = new Conferences({ store, publicUrl });
    const limiter = new RateLimiter(store);
    const limits = new CredentialLimits(limiter);
    const creations = conferenceCreations(conferenceCreationLimit);
    const withCsrf = { ...PAGE, preHandler: app.csrfProtection };

    app.get('/', PAGE, (request, reply) => render(reply, <HomePage visitor={visitorOf(request, reply)} />));

    app.get('/locate', PAGE, (request, reply) => render(reply, <LoginPage visitor={visitorOf(request, reply)} email="" />));

    app.post('/locate', withCsrf, async (request, reply) => {
      const email = formText(request.body, 'email');
      const accessCode = formText(request.body, 'accessCode');
      const again = (status: number, errors: FieldErrors, message?: string) =>
        render(reply, <LoginPage visitor={visitorOf(request, reply)} email={email} errors={errors} message={message} />, status);
      const errors: FieldErrors = {};
      if (email.trim() === '') errors.email = EMAIL_REQUIRED;
      if (accessCode.trim() === '') errors.accessCode = ACCESS_CODE_REQUIRED;
      if (Object.keys(errors).length > 0) return again(422, errors);

      const target = emailTarget(email);
      const wait = await limits.retryAfter(request.ip, target);
      if (wait > 0) return again(tooManyAttempts(reply, wait), {}, TOO_MANY_ATTEMPTS);
      const conference = await locateConference(store.db, email, accessCode);
      if (!conference) {
        await limits.failed(request.ip, target);
        return again(422, {}, LOCATE_FAILED);
      }
      grantConference(request, conference.id);
      return reply.redirect(paths.conference(conference.slug).details, 303);
    });

    app.get('/recover', PAGE, (request, reply) => render(reply, <RecoverPage visitor={visitorOf(request, reply)} email="" />));

    app.post('/recover', withCsrf, async (request, reply) => {
      const email = formText(request.body, 'email');
      const again = (status: number, props: { errors?: FieldErrors; notice?: string; message?: string }) =>
        render(reply, <RecoverPage visitor={visitorOf(request, reply)} email={email} {...props} />, status);
      const checked = checkEmail(email, 'Email address');
      if ('error' in checked) return again(422, { errors: { email: checked.error } });

      const keys = [
        [RECOVERIES_PER_CLIENT, request.ip],
        [RECOVERIES_PER_EMAIL, emailKey(checked.value)],
      ] as const;
      const wait = await limiter.retryAfter(keys);
      if (wait > 0) return again(tooManyAttempts(reply, wait), { message: TOO_MANY_ATTEMPTS });
      await limiter.hit(keys);
      await recoverAccessCodes(store, { email: checked.value, triggerId: request.id, publicUrl });
      return again(200, { notice: RECOVERY_ANSWER });
    });

    app.get('/create', PAGE, (request, reply) => render(reply, <CreatePage visitor={visitorOf(request, reply)} values={EMPTY_NEW_CONFERENCE} />));

    app.post('/create', withCsrf, async (request, reply) => {
      const values = formTexts(request.body, NEW_CONFERENCE_FIELDS);
      const again = (status: number, errors: FieldErrors, message?: string) =>
        render(reply, <CreatePage visitor={visitorOf(request, reply)} values={values} errors={errors} message={message} />, status);
      const limited = creations.max > 0;
      if (limited) {
        const wait = await limiter.retryAfter([[creations, request.ip]]);
        if (wait > 0) return again(tooManyAttempts(reply, wait), {}, TOO_MANY_ATTEMPTS);
      }
      try {
        const conference = await conferences.create(newConferenceInput(values));
        if (limited) await limiter.hit([[creations, request.ip]]);
        grantConference(request, conference.id);
        return reply.redirect(paths.conference(conference.slug).details, 303);
      } catch (error) {
        if (error instanceof ValidationError) return again(422, error.fields);
        // The only conflict of a create: the slug is taken.
        if (error instanceof ConflictError) return again(409, { slug: error.message });
        throw error;
      }
    });

    app.post('/logout', withCsrf, (request, reply) => {
      endManagement(request);
      return reply.redirect(paths.home, 303);
    });
  };
}
