// The workspace's WebSocket: resumes with last_seq, answers pings, reconnects with backoff.

import { SeqTracker, backoffMs, parseServerMessage, wsUrl } from './seq';

export interface LiveHandlers {
  /** A fresh stream started (no backlog): reload snapshots. */
  onFresh(): void;
  onEvent(event: string, data: unknown, seq: number | null): void;
  onConnectionChange(up: boolean): void;
  /** The session was logged out (e.g. in another tab): stop and show the login page. */
  onLoggedOut(): void;
  /** Called after a connection attempt failed `failures` times in a row. */
  onFailure?(failures: number): void;
}

const CLIENT_PING_MS = 20_000;
const SILENCE_LIMIT_MS = 45_000;

export class LiveSocket {
  private readonly tracker = new SeqTracker();
  private socket: WebSocket | null = null;
  private failures = 0;
  private stopped = true;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private lastMessageAt = 0;
  private up = false;

  constructor(private readonly handlers: LiveHandlers) {}

  get lastSeq(): number | null {
    return this.tracker.lastSeq;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.failures = 0;
    window.addEventListener('online', this.reconnectNow);
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    window.removeEventListener('online', this.reconnectNow);
    this.clearTimers();
    const socket = this.socket;
    this.socket = null;
    socket?.close(1000, 'bye');
    this.tracker.reset();
    this.setUp(false);
  }

  private readonly reconnectNow = (): void => {
    if (this.stopped || this.up) return;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.connect();
  };

  private connect(): void {
    if (this.stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(wsUrl(window.location, this.tracker.lastSeq));
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    let greeted = false;
    socket.onmessage = (ev: MessageEvent) => {
      if (this.socket !== socket || typeof ev.data !== 'string') return;
      this.lastMessageAt = Date.now();
      const msg = parseServerMessage(ev.data);
      if (!msg) return;
      switch (msg.type) {
        case 'hello': {
          greeted = true;
          this.failures = 0;
          const fresh = this.tracker.hello(msg.last_seq);
          this.setUp(true);
          this.startPinging(socket);
          if (fresh) this.handlers.onFresh();
          break;
        }
        case 'event':
          if (this.tracker.accept(msg.seq)) this.handlers.onEvent(msg.event, msg.data, msg.seq);
          break;
        case 'ping':
          socket.send(JSON.stringify({ type: 'pong' }));
          break;
        case 'pong':
          break;
        case 'logged_out':
          this.handlers.onLoggedOut();
          break;
        case 'queue.changed':
          // Derived state, so it carries no seq and skips the tracker.
          this.handlers.onEvent('queue.changed', {}, null);
          break;
      }
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.setUp(false);
      if (!greeted) this.failures += 1;
      this.scheduleReconnect();
    };
    socket.onerror = () => {
      // onclose follows and handles the reconnect.
    };
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    if (this.failures > 0) this.handlers.onFailure?.(this.failures);
    const delay = backoffMs(Math.max(0, this.failures - 1));
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private startPinging(socket: WebSocket): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.lastMessageAt = Date.now();
    this.pingTimer = setInterval(() => {
      if (this.socket !== socket) return;
      if (Date.now() - this.lastMessageAt > SILENCE_LIMIT_MS) {
        socket.close(4000, 'silent');
        return;
      }
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'ping' }));
    }, CLIENT_PING_MS);
  }

  private clearTimers(): void {
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.pingTimer = null;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    this.handlers.onConnectionChange(up);
  }
}
