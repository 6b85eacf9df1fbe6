// An e-mail's own words and the earlier messages it quotes: the quote is folded in the workspace, so
// the operator reads what is new first.

/** Lines that introduce a quote in the mail programs our clients use (Czech and English). */
const INTRO = [
  /^On .{3,200} wrote:\s*$/,
  /^Dne .{3,200} napsal(a|\(a\))?:\s*$/,
  /^-{2,}\s*(Original Message|Původní zpráva|Forwarded message|Přeposlaná zpráva)\s*-{2,}\s*$/i,
  /^From: .+$/,
  /^Od: .+$/,
];

/**
 * The new part and the quoted rest: the quote starts at the first line that introduces one (`On …
 * wrote:`) or at the first run of `>` lines that goes on to the end (blank lines aside). `quoted` is
 * empty when nothing is quoted.
 */
export function splitQuoted(text: string): { fresh: string; quoted: string } {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let cut = -1;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!.trim();
    if (INTRO.some((r) => r.test(line)) && i > 0) {
      cut = i;
      break;
    }
    if (line.startsWith('>') && lines.slice(i).every((l) => l.trim() === '' || l.trim().startsWith('>'))) {
      cut = i;
      break;
    }
  }
  if (cut <= 0) return { fresh: text.trim(), quoted: '' };
  return { fresh: lines.slice(0, cut).join('\n').trim(), quoted: lines.slice(cut).join('\n').trim() };
}
