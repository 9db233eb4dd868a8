import type { MessageHandler } from '../../../platform/processing/handler.ts';

/** Registration's read models of DOMAIN 5.2 besides the catalogue. */
export const registrationProjections: MessageHandler[] = [];
