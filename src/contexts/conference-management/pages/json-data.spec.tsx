import fc from 'fast-check';
import { renderToString } from 'preact-render-to-string';
import { describe, expect, it } from 'vitest';
import { JsonData, jsonForScript } from './json-data.tsx';

describe('JSON embedded in a page', () => {
  it('gives any data back unchanged and never holds a character that could end the element or start markup', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), (value, text) => {
        for (const data of [value, { text, tail: '</script><script>alert(1)</script>&amp;\u2028' }]) {
          const json = jsonForScript(data);
          expect(json).not.toMatch(/[<>&\u2028\u2029]/);
          expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(data)));
        }
      }),
    );
  });

  it('renders as a JSON script element', () => {
    expect(renderToString(<JsonData id="data" value={{ name: '</script>' }} />)).toBe(
      '<script type="application/json" id="data">{"name":"\\u003c/script\\u003e"}</script>',
    );
  });
});
