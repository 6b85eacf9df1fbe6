// Bookkeeping for the resumable event stream: the highest sequence number seen, duplicates dropped,
// the reconnect backoff, and reading the server's frames (pure; shared by the workspace and the widget).

import type { ServerFrame } from './events';

export class SeqTracker {
  #last: number | null;

  constructor(initial: number | null = null) {
    this.#last = initial;
  }

  /** The highest seq seen, or null before the first hello / event. */
  get lastSeq(): number | null {
    return this.#last;
  }

  /**
   * Handles the server's hello. Returns true when this is a fresh stream (no earlier position), in
   * which case the server sent no backlog and the caller must reload its snapshot.
   * On a resume the position is kept: the server replays everything after it.
   */
  hello(serverLastSeq: number): boolean {
    if (this.#last === null) {
      this.#last = serverLastSeq;
      return true;
    }
    if (serverLastSeq < this.#last) {
      // The server's stream is behind what we saw (e.g. data reset): start over from its position.
      this.#last = serverLastSeq;
      return true;
    }
    return false;
  }

  /** Returns true if the event is new and must be applied; false for a duplicate (seq <= last). */
  accept(seq: number): boolean {
    if (!Number.isFinite(seq)) return false;
    if (this.#last !== null && seq <= this.#last) return false;
    this.#last = seq;
    return true;
  }

  reset(): void {
    this.#last = null;
  }
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s. `attempt` counts failed attempts from 0. */
export function backoffMs(attempt: number): number {
  const base = 500 * 2 ** Math.max(0, Math.min(attempt, 10));
  return Math.min(base, 10_000);
}

/** The WebSocket URL for this page, with `last_seq` when resuming. */
export function wsUrl(location: { protocol: string; host: string }, lastSeq: number | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = lastSeq === null ? '' : `?last_seq=${lastSeq}`;
  return `${scheme}//${location.host}/api/v1/ws${query}`;
}

/** A server frame: one JSON object (its `type` says what it is). */
export type Frame = Readonly<Record<string, unknown>>;

/** Parses a frame's text; null for anything that is not a JSON object. */
export function parseFrame(text: string): Frame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return typeof value === 'object' && value !== null ? (value as Frame) : null;
}

/** Parses a server frame; returns null for anything that is not a known message shape. */
export function parseServerMessage(text: string): ServerFrame | null {
  const frame = parseFrame(text);
  return frame && classifyFrame(frame);
}

/** What a frame is, for the frames every connection handles; null for others (and malformed ones). */
export function classifyFrame(obj: Frame): ServerFrame | null {
  switch (obj['type']) {
    case 'hello':
      return typeof obj['last_seq'] === 'number' ? { type: 'hello', last_seq: obj['last_seq'] } : null;
    case 'ping':
      return { type: 'ping' };
    case 'pong':
      return { type: 'pong' };
    case 'logged_out':
      return { type: 'logged_out' };
    case 'queue.changed':
      return { type: 'queue.changed' };
    case 'event':
      if (typeof obj['seq'] !== 'number' || typeof obj['event'] !== 'string') return null;
      return { type: 'event', seq: obj['seq'], event: obj['event'], data: obj['data'] };
    default:
      return null;
  }
}
