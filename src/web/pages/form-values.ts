/** Reading the sites' forms: every value arrives as text (form bodies, `web/sessions.ts`). */

/** The text of a form field; a missing, repeated or non-text field reads as empty. */
export function formText(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** The texts of the named form fields. */
export function formTexts<K extends string>(body: unknown, names: readonly K[]): Record<K, string> {
  return Object.fromEntries(names.map((name) => [name, formText(body, name)])) as Record<K, string>;
}
