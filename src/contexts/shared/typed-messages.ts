import type { Static, TSchema } from 'typebox';

/** The `{type, data}` union of a map of message schemas: what a decider takes or returns. */
export type MessagesOf<M extends Record<string, TSchema>> = {
  [K in keyof M & string]: { type: K; data: Static<M[K]> };
}[keyof M & string];

/** One member of such a union, by type name. */
export type MessageOf<M extends Record<string, TSchema>, K extends keyof M & string> = { type: K; data: Static<M[K]> };
