// One resumable connection to the real-time endpoint, shared by the workspace and the widget: it
// resumes with last_seq, drops events it has already seen, answers the server's pings and sends its
// own, closes a connection that went silent, and reconnects with backoff (and at once when the
// browser comes back online). Where it connects and what the frames mean is up to its owner.
//
// Besides its own stream, an operator's connection follows other streams (the team's for
// supervisors, the sessions they hold): their events carry `topic`, and each is tracked on its own
// (the hello lists them with their heads, a session taken later starts with its first event), so
// a reconnect resumes every one of them from where it was.

import type { ClientFrame, Incoming, IncomingEvent, OutgoingMessage } from './realtime';
import { isJsonObject } from './payloads';
import { SeqTracker, backoffMs, parseServerMessage, type TopicCursor } from './seq';

export interface LiveOptions {
  /**
   * The URL to connect to, given the last seq applied in the own stream (null: a fresh start) and
   * the cursors in the other streams followed.
   */
  url(lastSeq: number | null, topics: readonly TopicCursor[]): string;
  /** Subprotocols to offer (the widget's token travels in one, not in the URL). */
  protocols?(): string[];
  /**
   * Every hello, once the connection counts as up. `fresh`: a new stream without backlog, so
   * snapshots must be reloaded. `frame` is the whole hello (a client's carries its session).
   */
  onHello?(frame: Incoming<'hello'>, fresh: boolean): void;
  /** A new stored event (not seen before); its `data` is for the owner to check. */
  onEvent(frame: IncomingEvent): void;
  /**
   * A derived frame, without seq: the workspace's `queue.changed` and `settings.changed`, the
   * client's `queue`.
   */
  onFrame?(frame: Incoming<'queue' | 'queue.changed' | 'settings.changed' | 'typing'>): void;
  onConnectionChange(up: boolean): void;
  /** The session was logged out (e.g. in another tab). */
  onLoggedOut?(): void;
  /** A connection attempt failed `failures` times in a row; the next one is scheduled. */
  onFailure?(failures: number): void;
}

function send(socket: WebSocket, frame: ClientFrame): void {
  socket.send(JSON.stringify(frame));
}

const CLIENT_PING_MS = 20_000;
/** The close code that tells the server the page is going away (see `leavingPage`). */
export const LEAVING_CLOSE_CODE = 4000;
const SILENCE_LIMIT_MS = 45_000;

/** What became of a message sent over the socket: stored (its seq), or refused (the API's error). */
export type Delivery = { stored: true; seq: number } | { stored: false; code: string; message: string };

/** How long a message sent over the socket may wait for its answer before it counts as lost. */
const ANSWER_MS = 10_000;

/** The hello's `topics`: the other streams followed, each with its head. */
function helloTopics(value: unknown): TopicCursor[] {
  if (!Array.isArray(value)) return [];
  const out: TopicCursor[] = [];
  for (const item of value) {
    if (!isJsonObject(item)) continue;
    const topic = item['topic'];
    const lastSeq = item['last_seq'];
    if (typeof topic === 'string' && typeof lastSeq === 'number') out.push([topic, lastSeq]);
  }
  return out;
}

export class LiveSocket {
  readonly #tracker = new SeqTracker();
  /** The other streams followed: where each stands. */
  readonly #topics = new Map<string, SeqTracker>();
  /** Messages sent over the socket, waiting for their `ack` or `refused`, by client_msg_id. */
  readonly #answers = new Map<string, (delivery: Delivery | null) => void>();
  #socket: WebSocket | null = null;
  #failed = 0;
  #stopped = true;
  #reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  #pingTimer: ReturnType<typeof setInterval> | null = null;
  #lastMessageAt = 0;
  #up = false;

  readonly #options: LiveOptions;

  constructor(options: LiveOptions) {
    this.#options = options;
  }

  get lastSeq(): number | null {
    return this.#tracker.lastSeq;
  }

  /** Failed connection attempts since the last hello. */
  get failures(): number {
    return this.#failed;
  }

  /**
   * Connects (if stopped). `fromSeq`: where a snapshot of the own stream was read (`/me`'s
   * `stream_seq`), so the first connection resumes after it instead of starting fresh.
   */
  start(fromSeq: number | null = null): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    if (fromSeq !== null && this.#tracker.lastSeq === null) this.#tracker.startAt(fromSeq);
    this.#failed = 0;
    window.addEventListener('online', this.#reconnectNow);
    this.#connect();
  }

  /** Closes the connection and forgets the stream position. */
  stop(): void {
    this.#stopped = true;
    window.removeEventListener('online', this.#reconnectNow);
    this.#clearTimers();
    this.#drop();
    this.#tracker.reset();
    this.#topics.clear();
    this.#answerAll(null);
    this.#setUp(false);
  }

  /**
   * The page is going away (`pagehide`): closes the socket saying so (close code 4000), so that a
   * client who does not come back soon (a reload, the site's next page) leaves the queue then,
   * instead of after the company's longer wait. A page restored from the back/forward cache
   * connects again with `start()`.
   */
  leavingPage(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(LEAVING_CLOSE_CODE, 'leaving');
    this.stop();
  }

  readonly #reconnectNow = (): void => {
    if (this.#stopped || this.#up) return;
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
    this.#connect();
  };

  /** Closes the current socket (if any) without reacting to its close. */
  #drop(): void {
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'bye');
  }

  #connect(): void {
    if (this.#stopped) return;
    this.#drop();
    let socket: WebSocket;
    try {
      const url = this.#options.url(this.#tracker.lastSeq, this.#topicCursors());
      const protocols = this.#options.protocols?.();
      socket = protocols ? new WebSocket(url, protocols) : new WebSocket(url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    let greeted = false;
    socket.onmessage = (ev: MessageEvent) => {
      if (this.#socket !== socket || typeof ev.data !== 'string') return;
      this.#lastMessageAt = Date.now();
      const frame = parseServerMessage(ev.data);
      if (!frame) return;
      switch (frame.type) {
        case 'hello': {
          greeted = true;
          this.#failed = 0;
          const fresh = this.#tracker.hello(frame.last_seq);
          this.#helloTopics(helloTopics('topics' in frame ? frame.topics : undefined), fresh);
          this.#setUp(true);
          this.#startPinging(socket);
          this.#options.onHello?.(frame, fresh);
          break;
        }
        case 'event':
          if (this.#trackerOf(frame.topic).accept(frame.seq)) this.#options.onEvent(frame);
          break;
        case 'ping':
          send(socket, { type: 'pong' });
          break;
        case 'pong':
          break;
        case 'logged_out':
          this.#options.onLoggedOut?.();
          break;
        case 'queue':
        case 'queue.changed':
        case 'settings.changed':
        case 'typing':
          // Derived state, so they carry no seq and skip the tracker.
          this.#options.onFrame?.(frame);
          break;
        case 'ack':
          if (typeof frame.client_msg_id === 'string') this.#answer(frame.client_msg_id, { stored: true, seq: frame.seq });
          break;
        case 'refused': {
          const error = isJsonObject(frame.error) ? frame.error : {};
          const code = typeof error['code'] === 'string' ? error['code'] : 'refused';
          const message = typeof error['message'] === 'string' ? error['message'] : code;
          if (typeof frame.client_msg_id === 'string') this.#answer(frame.client_msg_id, { stored: false, code, message });
          break;
        }
        default:
          // Every frame type of the document is handled above: a new one fails to compile here.
          frame satisfies never;
      }
    };
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = null;
      this.#clearTimers();
      this.#setUp(false);
      this.#answerAll(null);
      if (!greeted) this.#failed += 1;
      this.#scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and handles the reconnect.
    };
  }

  /**
   * Sends a message over the socket and waits for the server's answer: stored (after its commit)
   * or refused. Null when there is no connection, or it was lost before the answer (then send it
   * again, over HTTP say, with the same client_msg_id: nothing is stored twice).
   */
  send(message: OutgoingMessage): Promise<Delivery | null> {
    const socket = this.#socket;
    if (!this.#up || !socket || socket.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    const id = message.client_msg_id;
    this.#answers.get(id)?.(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.#answer(id, null), ANSWER_MS);
      this.#answers.set(id, (delivery) => {
        clearTimeout(timer);
        resolve(delivery);
      });
      send(socket, { type: 'message', ...message });
    });
  }

  /**
   * Says "I am typing" (an operator names the session; a client's is its own). Fire and forget:
   * never stored, nothing answers; without a connection it is dropped.
   */
  typing(sessionId?: string): void {
    const socket = this.#socket;
    if (!this.#up || !socket || socket.readyState !== WebSocket.OPEN) return;
    send(socket, sessionId ? { type: 'typing', session_id: sessionId } : { type: 'typing' });
  }

  /** The connection is gone: no answer will come for what waits. */
  #answerAll(delivery: null): void {
    for (const id of [...this.#answers.keys()]) this.#answer(id, delivery);
  }

  #answer(id: string, delivery: Delivery | null): void {
    const resolve = this.#answers.get(id);
    if (!resolve) return;
    this.#answers.delete(id);
    resolve(delivery);
  }

  /** The tracker of a stream: the own one, or a followed one (a newly taken session starts here). */
  #trackerOf(topic: string | null | undefined): SeqTracker {
    if (topic === undefined || topic === null) return this.#tracker;
    let tracker = this.#topics.get(topic);
    if (!tracker) {
      tracker = new SeqTracker();
      this.#topics.set(topic, tracker);
    }
    return tracker;
  }

  /**
   * The streams this connection follows, as the hello lists them: one resumed keeps its place (the
   * server replays after it), one new starts at its head; one no longer followed is forgotten.
   */
  #helloTopics(listed: readonly TopicCursor[], fresh: boolean): void {
    const kept = new Map<string, SeqTracker>();
    for (const [topic, head] of listed) {
      const known = fresh ? undefined : this.#topics.get(topic);
      if (known && known.lastSeq !== null && known.lastSeq <= head) kept.set(topic, known);
      else kept.set(topic, new SeqTracker(head));
    }
    this.#topics.clear();
    for (const [topic, tracker] of kept) this.#topics.set(topic, tracker);
  }

  #topicCursors(): TopicCursor[] {
    const out: TopicCursor[] = [];
    for (const [topic, tracker] of this.#topics) {
      if (tracker.lastSeq !== null) out.push([topic, tracker.lastSeq]);
    }
    return out;
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    if (this.#failed > 0) this.#options.onFailure?.(this.#failed);
    // onFailure may have stopped us (e.g. the session ended).
    if (this.#stopped) return;
    const delay = backoffMs(Math.max(0, this.#failed - 1));
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = null;
      this.#connect();
    }, delay);
  }

  #startPinging(socket: WebSocket): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#lastMessageAt = Date.now();
    this.#pingTimer = setInterval(() => {
      if (this.#socket !== socket) return;
      if (Date.now() - this.#lastMessageAt > SILENCE_LIMIT_MS) {
        socket.close(4000, 'silent');
        return;
      }
      if (socket.readyState === WebSocket.OPEN) send(socket, { type: 'ping' });
    }, CLIENT_PING_MS);
  }

  #clearTimers(): void {
    if (this.#pingTimer !== null) clearInterval(this.#pingTimer);
    this.#pingTimer = null;
    if (this.#reconnectTimer !== null) clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = null;
  }

  #setUp(up: boolean): void {
    if (this.#up === up) return;
    this.#up = up;
    this.#options.onConnectionChange(up);
  }
}
