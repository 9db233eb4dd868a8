/**
 * JSON for a `<script type="application/json">` element. Preact would escape the text of a script
 * element as HTML (`"` → `&quot;`), which a script element does not decode, so the text is set as
 * it is — after every `<`, `>`, `&` and line separator is written as a JSON `\uXXXX` escape: the
 * text then holds no character that could end the element or start markup, whatever the data says,
 * and `JSON.parse` gives the data back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Data for our scripts, embedded in the page (inline scripts are not allowed by the CSP; data is). */
export function JsonData({ id, value }: { id: string; value: unknown }) {
  return <script type="application/json" id={id} dangerouslySetInnerHTML={{ __html: jsonForScript(value) }} />;
}
