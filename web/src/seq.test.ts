import { describe, expect, it } from 'vitest';
import { SeqTracker, backoffMs, parseServerMessage, wsUrl } from './seq';

describe('SeqTracker', () => {
  it('starts fresh from the hello', () => {
    const tr = new SeqTracker();
    expect(tr.lastSeq).toBeNull();
    expect(tr.hello(7)).toBe(true);
    expect(tr.lastSeq).toBe(7);
    expect(tr.accept(8)).toBe(true);
    expect(tr.lastSeq).toBe(8);
  });
  it('ignores duplicates and older events', () => {
    const tr = new SeqTracker();
    tr.hello(0);
    expect(tr.accept(1)).toBe(true);
    expect(tr.accept(2)).toBe(true);
    expect(tr.accept(2)).toBe(false);
    expect(tr.accept(1)).toBe(false);
    expect(tr.accept(5)).toBe(true);
    expect(tr.accept(4)).toBe(false);
    expect(tr.lastSeq).toBe(5);
  });
  it('keeps its position across a resume', () => {
    const tr = new SeqTracker();
    tr.hello(3);
    tr.accept(4);
    // Reconnect with ?last_seq=4; the server is at 6 and replays 5 and 6.
    expect(tr.hello(6)).toBe(false);
    expect(tr.lastSeq).toBe(4);
    expect(tr.accept(4)).toBe(false);
    expect(tr.accept(5)).toBe(true);
    expect(tr.accept(6)).toBe(true);
    expect(tr.accept(6)).toBe(false);
    expect(tr.lastSeq).toBe(6);
  });
  it('starts over if the server is behind us', () => {
    const tr = new SeqTracker(10);
    expect(tr.hello(2)).toBe(true);
    expect(tr.lastSeq).toBe(2);
    expect(tr.accept(3)).toBe(true);
  });
  it('rejects nonsense and resets', () => {
    const tr = new SeqTracker(1);
    expect(tr.accept(Number.NaN)).toBe(false);
    tr.reset();
    expect(tr.lastSeq).toBeNull();
  });
});

describe('backoffMs', () => {
  it('doubles from 0.5 s up to 10 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50].map(backoffMs)).toEqual([500, 1000, 2000, 4000, 8000, 10000, 10000, 10000]);
  });
});

describe('wsUrl', () => {
  it('omits last_seq on the first connect and adds it on resume', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:8080' }, null)).toBe('ws://127.0.0.1:8080/api/v1/ws');
    expect(wsUrl({ protocol: 'https:', host: 'hovor.example' }, 42)).toBe('wss://hovor.example/api/v1/ws?last_seq=42');
    expect(wsUrl({ protocol: 'http:', host: 'h' }, 0)).toBe('ws://h/api/v1/ws?last_seq=0');
    expect(wsUrl({ protocol: 'http:', host: 'h' }, 5, [['co_cmp_1', 3], ['ses_2', 9]])).toBe(
      'ws://h/api/v1/ws?last_seq=5&topics=co_cmp_1:3,ses_2:9',
    );
    expect(wsUrl({ protocol: 'http:', host: 'h' }, null, [['ses_2', 9]])).toBe('ws://h/api/v1/ws');
  });
});

describe('parseServerMessage', () => {
  it('parses known frames', () => {
    expect(parseServerMessage('{"type":"hello","last_seq":3}')).toEqual({ type: 'hello', last_seq: 3 });
    expect(parseServerMessage('{"type":"ping"}')).toEqual({ type: 'ping' });
    expect(parseServerMessage('{"type":"pong"}')).toEqual({ type: 'pong' });
    expect(parseServerMessage('{"type":"logged_out"}')).toEqual({ type: 'logged_out' });
    expect(parseServerMessage('{"type":"event","seq":4,"event":"operator.state_changed","data":{"operator_id":"x"}}')).toEqual({
      type: 'event',
      seq: 4,
      event: 'operator.state_changed',
      data: { operator_id: 'x' },
    });
    expect(parseServerMessage('{"type":"queue.changed","extra":1}')).toEqual({ type: 'queue.changed' });
  });
  it('keeps the payload of the hello and the queue place for their owner', () => {
    expect(parseServerMessage('{"type":"hello","last_seq":3,"session":{"id":"s"}}')).toEqual({ type: 'hello', last_seq: 3, session: { id: 's' } });
    expect(parseServerMessage('{"type":"queue","queue_position":2}')).toEqual({ type: 'queue', queue_position: 2 });
  });
  it('rejects garbage', () => {
    expect(parseServerMessage('nope')).toBeNull();
    expect(parseServerMessage('null')).toBeNull();
    expect(parseServerMessage('{"type":"hello"}')).toBeNull();
    expect(parseServerMessage('{"type":"event","seq":"4","event":"x"}')).toBeNull();
    expect(parseServerMessage('{"type":"other"}')).toBeNull();
    expect(parseServerMessage('{"type":"toString"}')).toBeNull();
    expect(parseServerMessage('{"type":"event","seq":4,"event":"no.such_event","data":{}}')).toBeNull();
    expect(parseServerMessage('{"type":"event","seq":4,"event":"__proto__","data":{}}')).toBeNull();
    expect(parseServerMessage('[]')).toBeNull();
  });
});
