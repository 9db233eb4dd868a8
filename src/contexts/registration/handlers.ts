import type { HandlerDependencies } from '../../app/handlers.ts';
import type { MessageHandler } from '../../platform/processing/handler.ts';

/** Registration's side-effecting handlers: the process manager, queued commands and policies. */
export function registrationHandlers(_dependencies: HandlerDependencies): MessageHandler[] {
  return [];
}
