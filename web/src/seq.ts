// Bookkeeping for the resumable event stream: the highest sequence number seen, duplicates dropped,
// the reconnect backoff, and reading the server's frames (pure; shared by the workspace and the widget).

import { isJsonObject, isOneOf, type JsonObject } from './payloads';
import type { EventName, FrameType, IncomingFrame } from './realtime';

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

  /** Starts at a position known from elsewhere (a snapshot's seq): the next hello resumes after it. */
  startAt(seq: number): void {
    this.#last = seq;
  }
}

/** 0.5 s, 1 s, 2 s, 4 s, 8 s, then 10 s. `attempt` counts failed attempts from 0. */
export function backoffMs(attempt: number): number {
  const base = 500 * 2 ** Math.max(0, Math.min(attempt, 10));
  return Math.min(base, 10_000);
}

/** A cursor in one of the other streams a connection follows: `[stream, last seq applied]`. */
export type TopicCursor = readonly [string, number];

/**
 * The WebSocket URL for this page: `last_seq` when resuming the own stream, and `topics` with the
 * cursors in the other streams followed (an operator's team and session streams).
 */
export function wsUrl(
  location: { protocol: string; host: string },
  lastSeq: number | null,
  topics: readonly TopicCursor[] = [],
): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const params: string[] = [];
  if (lastSeq !== null) params.push(`last_seq=${lastSeq}`);
  if (lastSeq !== null && topics.length > 0) {
    params.push(`topics=${topics.map(([topic, seq]) => `${encodeURIComponent(topic)}:${seq}`).join(',')}`);
  }
  const query = params.length === 0 ? '' : `?${params.join('&')}`;
  return `${scheme}//${location.host}/api/v1/ws${query}`;
}

/** Parses a frame's text; null for anything that is not a JSON object. */
export function parseFrame(text: string): JsonObject | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  return isJsonObject(value) ? value : null;
}

// Every frame type and event name of the document: a new one fails to compile here until it is
// listed, and then in the switches that handle them.
const FRAME_TYPES: Readonly<Record<FrameType, true>> = {
  hello: true,
  event: true,
  queue: true,
  'queue.changed': true,
  'settings.changed': true,
  ping: true,
  pong: true,
  logged_out: true,
  ack: true,
  refused: true,
  typing: true,
};
const EVENT_NAMES: Readonly<Record<EventName, true>> = {
  'operator.state_changed': true,
  'operator.channel_changed': true,
  'operator.phone_line_changed': true,
  'operator.after_chat_changed': true,
  'me.notification_settings_changed': true,
  'session.changed': true,
  'session.offered': true,
  'message.created': true,
  'email.send_state_changed': true,
  'call.signal': true,
};

/**
 * Parses a server frame and checks its envelope: a known `type`, the hello's `last_seq`, an event's
 * `seq` and `event` (one the document lists). Null for anything else. The payload (an event's
 * `data`, the hello's session, the queue place) stays `unknown` for its owner's guards.
 */
export function parseServerMessage(text: string): IncomingFrame | null {
  const obj = parseFrame(text);
  return obj && readEnvelope(obj);
}

function readEnvelope(obj: JsonObject): IncomingFrame | null {
  const type = obj['type'];
  if (!isOneOf(FRAME_TYPES, type)) return null;
  switch (type) {
    case 'hello': {
      const lastSeq = obj['last_seq'];
      return typeof lastSeq === 'number' ? { ...obj, type, last_seq: lastSeq, topics: obj['topics'] } : null;
    }
    case 'event': {
      const seq = obj['seq'];
      const event = obj['event'];
      const topic = obj['topic'];
      if (typeof seq !== 'number' || !isOneOf(EVENT_NAMES, event)) return null;
      if (topic !== undefined && typeof topic !== 'string') return null;
      return topic === undefined ? { type, seq, event, data: obj['data'] } : { type, seq, topic, event, data: obj['data'] };
    }
    case 'queue':
      return { ...obj, type };
    case 'ack': {
      const seq = obj['seq'];
      return typeof seq === 'number' ? { ...obj, type, seq, client_msg_id: obj['client_msg_id'], session_id: obj['session_id'] } : null;
    }
    case 'refused':
      return { ...obj, type, client_msg_id: obj['client_msg_id'], error: obj['error'] };
    case 'typing':
      return { ...obj, type, session_id: obj['session_id'], from: obj['from'] };
    case 'queue.changed':
    case 'settings.changed':
    case 'ping':
    case 'pong':
    case 'logged_out':
      return { type };
  }
}
