import type { HandlerDependencies } from '../../app/handlers.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';
import { registrationCommandHandler } from './command-handlers.ts';
import { registrationProcessManager } from './process-manager-handler.ts';
import { seatAssignmentsCreator } from './seat-assignments-creator.ts';
import { seatQuotaPolicy } from './seat-quota-policy.ts';

/** Registration's side-effecting handlers: the process manager, queued commands and policies. */
export function registrationHandlers({ settings, store, registry, logger }: HandlerDependencies): MessageHandler[] {
  return [
    registrationProcessManager(store, { releaseBufferSeconds: settings.seatReleaseBufferSeconds, logger }),
    registrationCommandHandler(store, registry, logger),
    seatQuotaPolicy,
    seatAssignmentsCreator(store, registry),
  ];
}
