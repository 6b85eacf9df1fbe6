// Pure helpers for conversation messages, shared by the workspace and the widget (keep it free of
// app imports so the widget bundle stays small).

export interface SeqMessage {
  seq: number;
}

/** Merges `incoming` into `existing` by seq: sorted ascending, no duplicates (messages never change, so
 * the copy already held wins and an all-duplicate batch returns `existing` itself). */
export function mergeBySeq<T extends SeqMessage>(existing: readonly T[], incoming: readonly T[]): T[] {
  if (incoming.length === 0) return existing as T[];
  const bySeq = new Map<number, T>();
  for (const m of existing) bySeq.set(m.seq, m);
  let changed = false;
  for (const m of incoming) {
    if (!Number.isFinite(m.seq)) continue;
    if (bySeq.has(m.seq)) continue;
    bySeq.set(m.seq, m);
    changed = true;
  }
  if (!changed) return existing as T[];
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The highest seq in a list (0 when empty): what to pass as `after_seq`. */
export function lastSeqOf(messages: readonly SeqMessage[]): number {
  let last = 0;
  for (const m of messages) if (m.seq > last) last = m.seq;
  return last;
}

export const MAX_MESSAGE_CHARS = 4000;
/** The most characters of an e-mail reply (the server's limit). */
export const MAX_EMAIL_REPLY_CHARS = 100_000;

/** Length in characters (code points), as the server counts it. */
export function charCount(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

export type DraftProblem = 'empty' | 'tooLong' | null;

/** Why a draft cannot be sent, or null when it can. */
export function draftProblem(text: string, max: number = MAX_MESSAGE_CHARS): DraftProblem {
  if (text.trim().length === 0) return 'empty';
  if (charCount(text) > max) return 'tooLong';
  return null;
}

/** A UUID for client_msg_id (crypto.randomUUID where available, e.g. not on plain-http origins). */
export interface CryptoLike {
  randomUUID?: () => string;
  getRandomValues?: (a: Uint8Array<ArrayBuffer>) => unknown;
}

export function newMessageId(cryptoObj: CryptoLike | undefined): string {
  if (cryptoObj?.randomUUID) {
    try {
      return cryptoObj.randomUUID();
    } catch {
      // insecure context in some browsers
    }
  }
  const bytes = new Uint8Array(16);
  if (cryptoObj?.getRandomValues) cryptoObj.getRandomValues(bytes);
  else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
