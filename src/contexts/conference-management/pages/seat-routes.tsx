import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../../../platform/processing/commands.ts';
import type { Store } from '../../../platform/store/store.ts';
import { render } from '../../../web/pages/render.ts';
import type { FieldErrors } from '../../shared/field-checks.ts';
import { type SeatType, seatTypeOf, seatTypesOf } from '../records.ts';
import { checkNewSeatType } from '../rules.ts';
import { SeatTypes } from '../seat-types.ts';
import { formTexts } from './forms.ts';
import { renderFragment } from './fragment.ts';
import { PAGE } from './options.ts';
import { paths } from './paths.ts';
import { EMPTY_SEAT_TYPE, type Grid, SEAT_TYPE_FIELDS, SeatTypeEditRow, SeatTypeRow, type SeatTypeValues, seatTypeInput, seatTypeValues } from './seat-rows.tsx';
import { SeatTypesPage, type SeatTypesPageProps } from './seats-page.tsx';
import type { ConferenceAccess } from './session.ts';

type Saved = { seatType: SeatType } | { errors: FieldErrors };
type WithId = { Params: { id: string } };
type PageState = Omit<SeatTypesPageProps, 'conference' | 'csrf' | 'seatTypes'>;

/**
 * The seat-type grid (DOMAIN 6.2) under `/manage/{slug}/seats`: the page with plain forms, and the
 * htmx fragment routes under `/seats/rows`, which answer one row (validation errors included, with
 * status 200 so that htmx shows them) or nothing (a row removed).
 */
export function seatRoutes(store: Store, access: ConferenceAccess): FastifyPluginAsync {
  return async (app) => {
    const seatTypes = new SeatTypes({ store });
    const withCsrf = { ...PAGE, preHandler: app.csrfProtection };

    function gridOf(request: FastifyRequest, reply: FastifyReply): Grid {
      const conference = access.conferenceOf(request);
      return { links: paths.conference(conference.slug), csrf: reply.generateCsrf(), canDelete: !conference.wasEverPublished };
    }

    /** The conference's seat type named by the path, or undefined once the 404 is sent. */
    async function seatTypeIn(request: FastifyRequest<WithId>, reply: FastifyReply): Promise<SeatType | undefined> {
      const seatType = await seatTypeOf(store.db, access.conferenceOf(request).id, request.params.id);
      if (!seatType) reply.callNotFound();
      return seatType;
    }

    /**
     * Adds a seat type, or changes `current`, from the row's values. Every field of a row is required,
     * when changing too. Answers the errors by field when refused; undefined when `current` is gone.
     */
    async function save(request: FastifyRequest, current: SeatType | undefined, values: SeatTypeValues): Promise<Saved | undefined> {
      const conferenceId = access.conferenceOf(request).id;
      const { input, errors } = seatTypeInput(values);
      const checked = checkNewSeatType(input);
      if (!checked.ok || Object.keys(errors).length > 0) return { errors: { ...(checked.ok ? {} : checked.errors), ...errors } };
      try {
        const seatType = current ? await seatTypes.change(conferenceId, current.id, checked.value) : await seatTypes.add(conferenceId, checked.value);
        return seatType && { seatType };
      } catch (error) {
        // The refusal of a valid row: the quota is below the seats already sold.
        if (error instanceof DomainError) return { errors: { quantity: error.message } };
        throw error;
      }
    }

    /** Deletes a seat type: false when the conference has no such seat type, the refusal's message when it was ever published. */
    async function remove(request: FastifyRequest<WithId>): Promise<boolean | string> {
      try {
        return await seatTypes.remove(access.conferenceOf(request).id, request.params.id);
      } catch (error) {
        if (error instanceof DomainError) return error.message;
        throw error;
      }
    }

    async function page(request: FastifyRequest, reply: FastifyReply, status: number, state: (list: SeatType[]) => PageState) {
      const conference = access.conferenceOf(request);
      const list = await seatTypesOf(store.db, conference.id);
      return render(reply, <SeatTypesPage conference={conference} csrf={reply.generateCsrf()} seatTypes={list} {...state(list)} />, status);
    }

    // The page: `?add` shows a new row, `?edit={id}` a seat type's row, `?delete={id}` asks to confirm.
    app.get<{ Querystring: { add?: string; edit?: string; delete?: string } }>('/seats', PAGE, (request, reply) =>
      page(request, reply, 200, (list) => {
        const { add, edit, delete: deleting } = request.query;
        const edited = list.find((seatType) => seatType.id === edit);
        const canDelete = !access.conferenceOf(request).wasEverPublished;
        return {
          editing: edited ? { id: edited.id, values: seatTypeValues(edited) } : add !== undefined ? { values: EMPTY_SEAT_TYPE } : undefined,
          confirmDelete: canDelete ? list.find((seatType) => seatType.id === deleting) : undefined,
        };
      }),
    );

    app.post('/seats', withCsrf, async (request, reply) => {
      const values = formTexts(request.body, SEAT_TYPE_FIELDS);
      const saved = (await save(request, undefined, values))!;
      if ('errors' in saved) return page(request, reply, 422, () => ({ editing: { values, errors: saved.errors } }));
      return reply.redirect(paths.conference(access.conferenceOf(request).slug).seats, 303);
    });

    app.post<WithId>('/seats/:id', withCsrf, async (request, reply) => {
      const current = await seatTypeIn(request, reply);
      if (!current) return reply;
      const values = formTexts(request.body, SEAT_TYPE_FIELDS);
      const saved = await save(request, current, values);
      if (!saved) return reply.callNotFound();
      if ('errors' in saved) return page(request, reply, 422, () => ({ editing: { id: current.id, values, errors: saved.errors } }));
      return reply.redirect(paths.conference(access.conferenceOf(request).slug).seats, 303);
    });

    app.post<WithId>('/seats/:id/delete', withCsrf, async (request, reply) => {
      const removed = await remove(request);
      if (typeof removed === 'string') return page(request, reply, 409, () => ({ message: removed }));
      if (!removed) return reply.callNotFound();
      return reply.redirect(paths.conference(access.conferenceOf(request).slug).seats, 303);
    });

    // htmx fragments: one row each.
    app.get('/seats/rows/new', PAGE, (request, reply) => renderFragment(reply, <SeatTypeEditRow values={EMPTY_SEAT_TYPE} grid={gridOf(request, reply)} />));

    /** Cancel on a new row: nothing takes its place. */
    app.get('/seats/rows/none', PAGE, (_request, reply) => renderFragment(reply, null));

    app.get<WithId>('/seats/rows/:id', PAGE, async (request, reply) => {
      const seatType = await seatTypeIn(request, reply);
      return seatType ? renderFragment(reply, <SeatTypeRow seatType={seatType} grid={gridOf(request, reply)} />) : reply;
    });

    app.get<WithId>('/seats/rows/:id/edit', PAGE, async (request, reply) => {
      const seatType = await seatTypeIn(request, reply);
      if (!seatType) return reply;
      return renderFragment(reply, <SeatTypeEditRow seatType={seatType} values={seatTypeValues(seatType)} grid={gridOf(request, reply)} />);
    });

    app.post('/seats/rows', withCsrf, async (request, reply) => {
      const values = formTexts(request.body, SEAT_TYPE_FIELDS);
      const saved = (await save(request, undefined, values))!;
      const grid = gridOf(request, reply);
      if ('errors' in saved) return renderFragment(reply, <SeatTypeEditRow values={values} errors={saved.errors} grid={grid} />);
      return renderFragment(reply, <SeatTypeRow seatType={saved.seatType} grid={grid} />);
    });

    app.post<WithId>('/seats/rows/:id', withCsrf, async (request, reply) => {
      const current = await seatTypeIn(request, reply);
      if (!current) return reply;
      const values = formTexts(request.body, SEAT_TYPE_FIELDS);
      const saved = await save(request, current, values);
      if (!saved) return reply.callNotFound();
      const grid = gridOf(request, reply);
      if ('errors' in saved) return renderFragment(reply, <SeatTypeEditRow seatType={current} values={values} errors={saved.errors} grid={grid} />);
      return renderFragment(reply, <SeatTypeRow seatType={saved.seatType} grid={grid} />);
    });

    app.post<WithId>('/seats/rows/:id/delete', withCsrf, async (request, reply) => {
      const current = await seatTypeIn(request, reply);
      if (!current) return reply;
      const removed = await remove(request);
      if (typeof removed === 'string') {
        // Published meanwhile: the row stays, without its Delete button, and says why.
        return renderFragment(reply, <SeatTypeRow seatType={current} grid={{ ...gridOf(request, reply), canDelete: false }} message={removed} />);
      }
      return removed ? renderFragment(reply, null) : reply.callNotFound();
    });
  };
}
