/** Text and attribute values into HTML: catalog titles are operator data, never markup. */
export function esc(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON inside a <script>: "</script>" and "<!--" cannot end or confuse the element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

export const HTML_TYPE = "text/html; charset=utf-8";
