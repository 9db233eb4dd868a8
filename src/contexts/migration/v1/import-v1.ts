/**
 * The V1 → V2 import (DOMAIN 7.5, V1-LAYOUT.md): reads a V1 store read-only and writes into the V2
 * store, step by step, each step idempotent (a second run adds nothing). Step 7 (rebuilding the
 * read models side by side) is given by the caller (`rebuildReadModels`, the CLI's); without it the
 * live projections consume the imported events, which only they may, as processing catches up.
 */
import { basename } from 'node:path';
import { newOperatorAction } from '../../../platform/messages/factory.ts';
import type { Store } from '../../../platform/store/store.ts';
import { type ConferencesResult, importConferences, plannedSlugs } from './conferences-step.ts';
import { type EventsResult, importEvents } from './events-step.ts';
import { readHistory } from './history.ts';
import { importPayments, type PaymentsResult } from './payments-step.ts';
import { importProcesses, type ProcessesResult } from './processes-step.ts';
import { verifyImport, type VerificationResult } from './verify-step.ts';
import { V1Store } from './v1-store.ts';

export interface ImportOptions {
  file: string;
  dryRun?: boolean;
  /** The cut-over run, on a file taken after V1 processing was paused. */
  final?: boolean;
  /** V1 slug → new slug (`--rename-slug old=new`). */
  renameSlugs?: ReadonlyMap<string, string>;
  releaseBufferSeconds: number;
  now?: Date;
  onProgress?: (progress: ImportProgress) => void;
  /** Step 7, run after a run that wrote something: rebuilds every read model side by side; answers a line per read model. */
  rebuildReadModels?: () => Promise<string[]>;
}

export interface ImportProgress {
  step: 'conferences' | 'events' | 'processes' | 'payments' | 'verify' | 'read models';
  done: number;
  total: number;
}

export interface ImportSummary {
  file: string;
  dryRun: boolean;
  final: boolean;
  conferences: ConferencesResult;
  events: EventsResult;
  processes: ProcessesResult;
  payments: PaymentsResult;
  verification: VerificationResult;
  /** What this run wrote: log entries, processes and timers (0 on a second run over the same file). */
  written: number;
  seconds: number;
  /** Of which steps 1–6 and 8 (without the read-model rebuild). */
  importSeconds: number;
  /** What became of the read models (step 7). */
  readModels: string[];
}

export async function importV1(store: Store, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const v1 = await V1Store.snapshot(options.file);
  try {
    const conferences = v1.conferences();
    const eventCount = v1.eventCount();
    const history = readHistory(v1);
    const v1Processes = v1.processes();
    const payments = v1.payments();
    const total = conferences.length + eventCount + history.orders.size + payments.length;
    let base = 0;
    const progress = (step: ImportProgress['step'], done: number) => options.onProgress?.({ step, done: base + done, total });

    const slugs = await plannedSlugs(store, conferences, options.renameSlugs ?? new Map());
    const { result: conferenceResult, quotaCommands } = await importConferences(store, conferences, {
      slugs,
      firstEventTime: v1.firstEventTime() ?? now.toISOString(),
      dryRun,
      now,
      mentionedSeatTypes: history.mentionedSeatTypes,
    });
    progress('conferences', conferences.length);
    base += conferences.length;

    const reservationOrders = new Map(v1Processes.map((p) => [p.reservationId, p.orderId]));
    const events = await importEvents(store, v1, history, { reservationOrders, dryRun, onProgress: (done) => progress('events', done) });
    base += eventCount;
    if (!dryRun && quotaCommands.length > 0) {
      await store.transaction(async (tx) => {
        conferenceResult.quotaCommands += (await store.append(tx, quotaCommands)).length;
      });
    }

    const processes = await importProcesses(
      store,
      history,
      { processes: v1Processes, payments, commands: v1.queuedCommands() },
      { releaseBufferSeconds: options.releaseBufferSeconds, now, dryRun, onProgress: (done) => progress('processes', done) },
    );
    base += history.orders.size;

    const conferenceNames = new Map(conferences.map((c) => [c.id, c.name]));
    const paymentResult = await importPayments(store, payments, history, { conferenceNames, dryRun });
    progress('payments', payments.length);
    base += payments.length;

    const verification = await verifyImport(store, conferences, history, { slugs, dryRun });
    progress('verify', 0);

    const commandsWritten = processes.commandsSent + processes.timers + processes.rederived + Object.values(processes.created).reduce((a, b) => a + b, 0);
    const written = conferenceResult.eventsWritten + conferenceResult.quotaCommands + events.written + paymentResult.eventsWritten + (dryRun ? 0 : commandsWritten);
    if (!dryRun && written > 0) {
      await store.transaction(async (tx) => {
        await store.append(tx, [newOperatorAction({ action: 'import-v1', target: basename(options.file), reason: options.final ? 'final run (cut-over)' : null })]);
      });
    }
    const importSeconds = (performance.now() - started) / 1000;
    let readModels = ['not rebuilt: the running projections consume the imported events as processing catches up'];
    if (dryRun) readModels = ['untouched (dry run)'];
    else if (written === 0) readModels = ['untouched: nothing new was imported'];
    else if (options.rebuildReadModels) readModels = await options.rebuildReadModels();
    return {
      file: options.file,
      dryRun,
      final: options.final ?? false,
      conferences: conferenceResult,
      events,
      processes,
      payments: paymentResult,
      verification,
      written,
      seconds: (performance.now() - started) / 1000,
      importSeconds,
      readModels,
    };
  } finally {
    v1.close();
  }
}
