// The chat widget's snippet as the admin's generator writes it, and whether its colour leaves white
// text readable.

export interface SnippetOptions {
  /** A group's id; null for "All operators". */
  group: string | null;
  /** null: the visitor's browser decides. */
  lang: 'cs' | 'en' | null;
  /** #rrggbb; null for Hovor's own. */
  color: string | null;
}

const ATTRIBUTE = /^[A-Za-z0-9_#.-]+$/;

/** The one line a website puts before `</body>`. Values are of the widget's own shapes only. */
export function snippetFor(widgetUrl: string, company: string, o: SnippetOptions): string {
  const attrs: [string, string][] = [['data-company', company]];
  if (o.group) attrs.push(['data-group', o.group]);
  if (o.lang) attrs.push(['data-lang', o.lang]);
  if (o.color) attrs.push(['data-color', o.color]);
  const text = attrs
    .filter(([, v]) => ATTRIBUTE.test(v))
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return `<script src="${widgetUrl.replace(/"/g, '%22')}"${text} async></script>`;
}

function channel(c: number): number {
  const s = c / 255;
  return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
}

/** WCAG contrast ratio of white text on this #rrggbb colour (1 to 21). */
export function contrastWithWhite(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return 21;
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => channel(Number.parseInt(x ?? '0', 16)));
  const lum = 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
  return 1.05 / (lum + 0.05);
}
