/**
 * Escaping for the HTML report: everything that comes from a scenario or a
 * result (names, descriptions, details, client names) goes through `esc`
 * before it reaches the page, and inline JSON through `jsonForScript`, so
 * a scenario named `<script>…` can neither inject markup nor end a script.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value (double- or single-quoted), HTML-escaped. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]);
}

/**
 * JSON safe inside `<script type="application/json">`: `<`, `>` and `&`
 * as \u escapes (no `</script>` or `<!--` can appear), and the two line
 * separators JavaScript once treated as newlines. `JSON.parse` reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}
