import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LEAVING_CLOSE_CODE, LiveSocket, type LiveOptions } from './liveSocket';

/** A WebSocket stand-in: records what was sent; the test plays the server. */
class FakeSocket {
  static readonly OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  closed: number | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string): void {
    this.sent.push(text);
  }
  close(code = 1005): void {
    this.closed = code;
  }
  // the server side
  open(): void {
    this.readyState = FakeSocket.OPEN;
  }
  frame(value: unknown): void {
    this.onmessage?.({ data: JSON.stringify(value) });
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.();
  }
}

const latest = (): FakeSocket => {
  const s = FakeSocket.all.at(-1);
  if (!s) throw new Error('no socket');
  return s;
};

function options(log: string[], extra: Partial<LiveOptions> = {}): LiveOptions {
  return {
    url: (lastSeq) => `ws://test/ws${lastSeq === null ? '' : `?last_seq=${lastSeq}`}`,
    onHello: (frame, fresh) => log.push(`hello ${frame.last_seq} fresh=${fresh}`),
    onEvent: (frame) => log.push(`event ${frame.event} ${frame.seq}`),
    onFrame: (frame) => log.push(`frame ${frame.type}`),
    onConnectionChange: (up) => log.push(up ? 'up' : 'down'),
    onLoggedOut: () => log.push('logged out'),
    onFailure: (n) => log.push(`failure ${n}`),
    ...extra,
  };
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.useFakeTimers();
  vi.stubGlobal('WebSocket', FakeSocket);
  vi.stubGlobal('window', { addEventListener: vi.fn(), removeEventListener: vi.fn() });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('LiveSocket', () => {
  it('closes with the leaving code when the page goes away, and does not reconnect', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    const socket = latest();
    socket.open();
    socket.frame({ type: 'hello', last_seq: 3, state: null });
    live.leavingPage();
    expect(socket.closed).toBe(LEAVING_CLOSE_CODE);
    expect(LEAVING_CLOSE_CODE).toBe(4000);
    socket.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    // Back from the back/forward cache: a fresh connection.
    live.start();
    expect(FakeSocket.all).toHaveLength(2);
    expect(latest().url).toBe('ws://test/ws');
  });

  it('resumes from a snapshot\'s seq on its first connection, and forgets it when stopped', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start(7);
    expect(latest().url).toBe('ws://test/ws?last_seq=7');
    latest().open();
    latest().frame({ type: 'hello', last_seq: 8, state: null });
    latest().frame({ type: 'event', seq: 8, event: 'operator.state_changed', data: {} });
    expect(log).toEqual(['up', 'hello 8 fresh=false', 'event operator.state_changed 8']);
    live.stop();
    live.start();
    expect(latest().url).toBe('ws://test/ws');
  });

  it('connects to the given URL, hands over the hello, drops duplicate events and resumes', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    const first = latest();
    expect(first.url).toBe('ws://test/ws');
    first.open();
    first.frame({ type: 'hello', last_seq: 4, session: { id: 's' } });
    first.frame({ type: 'event', seq: 5, event: 'message.created', data: {} });
    first.frame({ type: 'event', seq: 5, event: 'message.created', data: {} });
    first.frame({ type: 'event', seq: 3, event: 'session.changed', data: {} });
    expect(live.lastSeq).toBe(5);
    first.drop();
    vi.advanceTimersByTime(500);
    const second = latest();
    expect(second).not.toBe(first);
    expect(second.url).toBe('ws://test/ws?last_seq=5');
    second.open();
    second.frame({ type: 'hello', last_seq: 7 });
    expect(log).toEqual(['up', 'hello 4 fresh=true', 'event message.created 5', 'down', 'up', 'hello 7 fresh=false']);
  });

  it('tracks each followed stream on its own and resumes every one of them', () => {
    const log: string[] = [];
    const urls: string[] = [];
    const live = new LiveSocket(
      options(log, {
        url: (lastSeq, topics) => {
          const url = `ws://test/ws?last_seq=${lastSeq}&topics=${topics.map(([t, s]) => `${t}:${s}`).join(',')}`;
          urls.push(url);
          return url;
        },
        onEvent: (frame) => log.push(`event ${frame.topic ?? 'own'} ${frame.seq}`),
      }),
    );
    live.start();
    latest().frame({ type: 'hello', last_seq: 40, state: null, topics: [{ topic: 'co_acme', last_seq: 7 }] });
    latest().frame({ type: 'event', seq: 41, event: 'session.changed', data: {} });
    // Small seqs of other streams are not duplicates of the own stream's.
    latest().frame({ type: 'event', seq: 8, topic: 'co_acme', event: 'operator.state_changed', data: {} });
    latest().frame({ type: 'event', seq: 8, topic: 'co_acme', event: 'operator.state_changed', data: {} });
    // A session taken later starts with its first event.
    latest().frame({ type: 'event', seq: 3, topic: 'ses_1', event: 'message.created', data: {} });
    latest().frame({ type: 'event', seq: 3, topic: 'ses_1', event: 'message.created', data: {} });
    expect(log.filter((l) => l.startsWith('event'))).toEqual(['event own 41', 'event co_acme 8', 'event ses_1 3']);

    latest().drop();
    vi.advanceTimersByTime(600);
    expect(urls.at(-1)).toBe('ws://test/ws?last_seq=41&topics=co_acme:8,ses_1:3');
    // The session is no longer listed: forgotten; the team stream resumes where it was.
    latest().frame({ type: 'hello', last_seq: 41, state: null, topics: [{ topic: 'co_acme', last_seq: 9 }] });
    latest().frame({ type: 'event', seq: 9, topic: 'co_acme', event: 'operator.state_changed', data: {} });
    expect(log.at(-1)).toBe('event co_acme 9');
    latest().drop();
    vi.advanceTimersByTime(600);
    expect(urls.at(-1)).toBe('ws://test/ws?last_seq=41&topics=co_acme:9');
    live.stop();
  });

  it('sends messages and hands back the answer: stored, refused, or none when the connection is lost', async () => {
    const live = new LiveSocket(options([]));
    expect(await live.send({ client_msg_id: 'm0', text: 'x' })).toBeNull();
    live.start();
    const socket = latest();
    socket.open();
    socket.frame({ type: 'hello', last_seq: 1, session: {} });
    const stored = live.send({ client_msg_id: 'm1', text: 'ahoj' });
    expect(JSON.parse(socket.sent.at(-1) ?? '{}')).toEqual({ type: 'message', client_msg_id: 'm1', text: 'ahoj' });
    socket.frame({ type: 'ack', client_msg_id: 'm1', session_id: 's', seq: 7 });
    expect(await stored).toEqual({ stored: true, seq: 7 });
    const refused = live.send({ client_msg_id: 'm2', text: ' ' });
    socket.frame({ type: 'refused', client_msg_id: 'm2', error: { code: 'empty_message', message: 'a message needs some text' } });
    expect(await refused).toEqual({ stored: false, code: 'empty_message', message: 'a message needs some text' });
    const lost = live.send({ client_msg_id: 'm3', text: 'ztraceno' });
    socket.drop();
    expect(await lost).toBeNull();
    live.stop();
  });

  it('gives the whole hello frame and the derived frames to its owner', () => {
    const frames: unknown[] = [];
    const log: string[] = [];
    const live = new LiveSocket(options(log, { onHello: (f) => frames.push(f), onFrame: (f) => frames.push(f) }));
    live.start();
    latest().frame({ type: 'hello', last_seq: 0, queue_position: 2, estimated_wait_s: 60 });
    latest().frame({ type: 'queue', queue_position: 1, estimated_wait_s: 30 });
    latest().frame('not an object');
    latest().frame({ type: 'other' });
    expect(frames).toEqual([
      { type: 'hello', last_seq: 0, queue_position: 2, estimated_wait_s: 60 },
      { type: 'queue', queue_position: 1, estimated_wait_s: 30 },
    ]);
  });

  it('answers pings, passes queue.changed without a seq, and reports a logout', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    const s = latest();
    s.open();
    s.frame({ type: 'hello', last_seq: 1 });
    s.frame({ type: 'ping' });
    s.frame({ type: 'queue.changed' });
    s.frame({ type: 'logged_out' });
    expect(s.sent).toEqual(['{"type":"pong"}']);
    expect(log.slice(2)).toEqual(['frame queue.changed', 'logged out']);
  });

  it('ignores frames whose envelope is not the documented one', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    const s = latest();
    s.frame({ type: 'hello' });
    s.frame({ type: 'hello', last_seq: 2 });
    s.frame({ type: 'event', seq: '3', event: 'message.created', data: {} });
    s.frame({ type: 'event', seq: 3, event: 'no.such_event', data: {} });
    s.frame({ type: 'event', seq: 4, event: 'toString', data: {} });
    s.frame({ type: 'event', seq: 5, event: 'message.created', data: { anything: true } });
    expect(log).toEqual(['up', 'hello 2 fresh=true', 'event message.created 5']);
    expect(live.lastSeq).toBe(5);
  });

  it('pings while connected and closes a connection that went silent', () => {
    const live = new LiveSocket(options([]));
    live.start();
    const s = latest();
    s.open();
    s.frame({ type: 'hello', last_seq: 1 });
    vi.advanceTimersByTime(20_000);
    expect(s.sent).toEqual(['{"type":"ping"}']);
    vi.advanceTimersByTime(40_000);
    expect(s.closed).toBe(4000);
  });

  it('counts failed attempts, backs off, and starts over after a hello', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    latest().drop();
    expect(live.failures).toBe(1);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    latest().drop();
    expect(live.failures).toBe(2);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(3);
    latest().frame({ type: 'hello', last_seq: 0 });
    expect(live.failures).toBe(0);
    expect(log).toEqual(['failure 1', 'failure 2', 'up', 'hello 0 fresh=true']);
  });

  it('stops: closes, forgets the position, and does not reconnect', () => {
    const log: string[] = [];
    const live = new LiveSocket(options(log));
    live.start();
    const s = latest();
    s.frame({ type: 'hello', last_seq: 9 });
    live.stop();
    expect(s.closed).toBe(1000);
    expect(live.lastSeq).toBeNull();
    s.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(log).toEqual(['up', 'hello 9 fresh=true', 'down']);
  });
});
