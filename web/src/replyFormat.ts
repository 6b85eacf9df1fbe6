// The basic formatting of an e-mail reply, as the workspace shows it: the same rules the server uses
// to make the e-mail's HTML (hovor_core::reply_format, tested on the same examples). **bold**,
// _italic_, lines starting "- " or "1. " make lists, "> " a quotation, http(s) addresses links.
// The result is a structure rendered as elements, never HTML.

export type Inline = { kind: 'text'; text: string } | { kind: 'strong' | 'em'; children: Inline[] } | { kind: 'link'; url: string };
export type Block =
  | { kind: 'p'; lines: Inline[][] }
  | { kind: 'quote'; lines: Inline[][] }
  | { kind: 'ul'; items: Inline[][] }
  | { kind: 'ol'; items: Inline[][] };

const bullet = (line: string) => (line.startsWith('- ') || line.startsWith('* ') ? line.slice(2) : null);
const numbered = (line: string) => /^\d{1,3}\. (.*)$/.exec(line)?.[1] ?? null;
const quoted = (line: string) => (line.startsWith('> ') ? line.slice(2) : line === '>' ? '' : null);
const isSpace = (c: string | undefined) => c !== undefined && /\s/u.test(c);
const isWordChar = (c: string | undefined) => c !== undefined && /[\p{L}\p{N}]/u.test(c);

function blocks(text: string): Block[] {
  const out: Block[] = [];
  const blank = () => out.push({ kind: 'p', lines: [] });
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trimEnd();
    if (line.trim() === '') {
      blank();
      continue;
    }
    const last = out[out.length - 1];
    const b = bullet(line);
    const n = b === null ? numbered(line) : null;
    const q = b === null && n === null ? quoted(line) : null;
    if (b !== null) {
      if (last?.kind === 'ul') last.items.push(inline(b));
      else out.push({ kind: 'ul', items: [inline(b)] });
    } else if (n !== null) {
      if (last?.kind === 'ol') last.items.push(inline(n));
      else out.push({ kind: 'ol', items: [inline(n)] });
    } else if (q !== null) {
      if (last?.kind === 'quote') last.lines.push(inline(q));
      else out.push({ kind: 'quote', lines: [inline(q)] });
    } else if (last?.kind === 'p') {
      last.lines.push(inline(line));
    } else {
      out.push({ kind: 'p', lines: [inline(line)] });
    }
  }
  return out.filter((b) => !(b.kind === 'p' && b.lines.length === 0));
}

function opens(text: string, at: number, mark: string): boolean {
  const before = at > 0 ? text[at - 1] : undefined;
  const after = text[at + mark.length];
  const beforeOk = before === undefined || isSpace(before) || '([{„"\''.includes(before);
  return beforeOk && after !== undefined && !isSpace(after);
}

function closes(text: string, from: number, mark: string): number | null {
  let search = from;
  for (;;) {
    const at = text.indexOf(mark, search);
    if (at < 0) return null;
    const before = text[at - 1];
    const after = text[at + mark.length];
    if (at > from && before !== undefined && !isSpace(before) && (after === undefined || (!isWordChar(after) && after !== '_' && after !== '*'))) {
      return at;
    }
    search = at + mark.length;
  }
}

function linkAt(text: string, at: number): string | null {
  const rest = text.slice(at);
  if (!rest.startsWith('https://') && !rest.startsWith('http://')) return null;
  const end = rest.search(/[\s<>"]/u);
  const url = (end < 0 ? rest : rest.slice(0, end)).replace(/[.,;:!?)]+$/u, '');
  return url.length > 'https://'.length ? url : null;
}

function inline(text: string): Inline[] {
  const out: Inline[] = [];
  const plain = (s: string) => {
    if (s) out.push({ kind: 'text', text: s });
  };
  let plainFrom = 0;
  let i = 0;
  while (i < text.length) {
    let matched = false;
    for (const [mark, kind] of [
      ['**', 'strong'],
      ['_', 'em'],
    ] as const) {
      if (!text.startsWith(mark, i) || !opens(text, i, mark)) continue;
      const end = closes(text, i + mark.length, mark);
      if (end === null) continue;
      plain(text.slice(plainFrom, i));
      out.push({ kind, children: inline(text.slice(i + mark.length, end)) });
      i = end + mark.length;
      plainFrom = i;
      matched = true;
      break;
    }
    if (matched) continue;
    const url = linkAt(text, i);
    if (url) {
      plain(text.slice(plainFrom, i));
      out.push({ kind: 'link', url });
      i += url.length;
      plainFrom = i;
      continue;
    }
    i += 1;
  }
  plain(text.slice(plainFrom));
  return out;
}

/** A reply's blocks, each with its formatted lines or items. */
export function replyBlocks(text: string): Block[] {
  return blocks(text);
}

/** Does the text use any formatting (so that showing it formatted changes anything)? */
export function isFormatted(text: string): boolean {
  return replyBlocks(text).some((b) => b.kind !== 'p' || b.lines.some((l) => l.some((part) => part.kind !== 'text')));
}

/** Puts `mark` around the selection (or the word typed next): the composer's Bold and Italic. */
export function wrapSelection(text: string, start: number, end: number, mark: string): { text: string; start: number; end: number } {
  const chosen = text.slice(start, end);
  // Spaces around a selection stay outside the marks.
  const lead = chosen.length - chosen.trimStart().length;
  const trail = chosen.length - chosen.trimEnd().length;
  const from = start + lead;
  const to = Math.max(from, end - trail);
  const next = text.slice(0, from) + mark + text.slice(from, to) + mark + text.slice(to);
  return { text: next, start: from + mark.length, end: to + mark.length };
}

/** Starts each line of the selection with "- ": the composer's bulleted list. */
export function bulletLines(text: string, start: number, end: number): { text: string; start: number; end: number } {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const nextBreak = text.indexOf('\n', Math.max(end - 1, lineStart));
  const lineEnd = nextBreak < 0 ? text.length : nextBreak;
  const lines = text.slice(lineStart, lineEnd).split('\n');
  const all = lines.every((l) => l.startsWith('- '));
  const changed = lines.map((l) => (all ? l.slice(2) : l.startsWith('- ') ? l : `- ${l}`)).join('\n');
  return { text: text.slice(0, lineStart) + changed + text.slice(lineEnd), start: lineStart, end: lineStart + changed.length };
}
