import { describe, expect, it } from 'vitest';
import {
  addMessages,
  alertsMe,
  emailWaiting,
  applySession,
  applyToQueue,
  formatWait,
  markRead,
  orderQueue,
  secondsSince,
  secondsUntil,
  shortPage,
  unreadCount,
  withReadSeq,
  type Conversation,
} from './conversations';
import { sessionFixture } from './sessionFixture';
import type { Message } from './types';

const session = sessionFixture;

function msg(seq: number, author: Message['author'] = 'client', text = `m${seq}`): Message {
  return { seq, author, operator_id: null, operator_name: null, text, sent_at: '2025-05-17T10:00:00Z', internal: false, attachments: [] };
}

describe('orderQueue', () => {
  it('puts offers to me on top (newest first), then waiting oldest first', () => {
    const q = orderQueue(
      [
        session('w2', { created_at: '2025-05-17T10:05:00Z' }),
        session('w1', { created_at: '2025-05-17T10:01:00Z' }),
        session('o1', { status: 'offered', offered_to: 'me', offer_expires_at: '2025-05-17T10:02:00Z' }),
        session('o2', { status: 'offered', offered_to: 'me', offer_expires_at: '2025-05-17T10:03:00Z' }),
        session('x', { status: 'offered', offered_to: 'someone-else' }),
        session('a', { status: 'active', operator_id: 'me' }),
      ],
      'me',
    );
    expect(q.map((s) => s.id)).toEqual(['o2', 'o1', 'w1', 'w2']);
  });
});

describe('wait times', () => {
  const now = Date.parse('2025-05-17T10:00:00Z');
  it('formats m:ss and h:mm:ss', () => {
    expect(formatWait(0)).toBe('0:00');
    expect(formatWait(7)).toBe('0:07');
    expect(formatWait(185)).toBe('3:05');
    expect(formatWait(3723)).toBe('1:02:03');
    expect(formatWait(-3)).toBe('0:00');
    expect(formatWait(Number.NaN)).toBe('0:00');
  });
  it('counts seconds since and until', () => {
    expect(secondsSince('2025-05-17T09:59:30Z', now)).toBe(30);
    expect(secondsSince('2025-05-17T10:00:05Z', now)).toBe(0);
    expect(secondsSince('nonsense', now)).toBe(0);
    expect(secondsUntil('2025-05-17T10:00:29.200Z', now)).toBe(30);
    expect(secondsUntil('2025-05-17T09:00:00Z', now)).toBe(0);
    expect(secondsUntil(null, now)).toBe(0);
  });
});

describe('conversations', () => {
  const base: Conversation = { session: session('s', { status: 'active', operator_id: 'me' }), messages: [], readSeq: 0 };
  it('merges messages by seq without duplicates', () => {
    let c = addMessages(base, [msg(2), msg(1)], false);
    c = addMessages(c, [msg(2), msg(3)], false);
    expect(c.messages.map((m) => m.seq)).toEqual([1, 2, 3]);
  });
  it('counts unread client messages only, and clears them when read or open', () => {
    let c = addMessages(base, [msg(1), msg(2, 'operator'), msg(3), msg(4, 'system')], false);
    expect(unreadCount(c)).toBe(1); // the first was answered
    c = markRead(c);
    expect(unreadCount(c)).toBe(0);
    c = addMessages(c, [msg(5)], false);
    expect(unreadCount(c)).toBe(1);
    c = addMessages(c, [msg(6)], true);
    expect(unreadCount(c)).toBe(0);
  });
  it('counts a client message answered by the operator as read, and keeps a read mark from before a reload', () => {
    const c = addMessages(base, [msg(1), msg(2), msg(3, 'operator'), msg(4)], false);
    expect(unreadCount(c)).toBe(1);
    const reloaded = addMessages(base, [msg(1), msg(2), msg(5)], false);
    expect(unreadCount(reloaded)).toBe(3);
    expect(unreadCount(withReadSeq(reloaded, 2))).toBe(1);
    expect(withReadSeq(withReadSeq(reloaded, 2), 1).readSeq).toBe(2);
  });
  it('keeps the same object when nothing is new', () => {
    const c = addMessages(base, [msg(1)], false);
    expect(addMessages(c, [msg(1)], false)).toBe(c);
  });
  it('applies sessions: adds mine, marks ended, removes transferred', () => {
    let list = applySession([], session('s', { status: 'active', operator_id: 'me' }), 'me');
    expect(list).toHaveLength(1);
    list = applySession(list, session('other', { status: 'active', operator_id: 'you' }), 'me');
    expect(list).toHaveLength(1);
    list = applySession(list, session('s', { status: 'ended', operator_id: 'me', end_reason: 'client_left' }), 'me');
    expect(list[0]?.session.status).toBe('ended');
    const back = applySession(applySession([], session('t', { status: 'active', operator_id: 'me' }), 'me'), session('t'), 'me');
    expect(back).toHaveLength(0);
  });
  it('keeps the queue to waiting sessions and offers to me', () => {
    let q = applyToQueue([], session('a'), 'me');
    q = applyToQueue(q, session('b', { status: 'offered', offered_to: 'me' }), 'me');
    q = applyToQueue(q, session('a', { status: 'active', operator_id: 'you' }), 'me');
    expect(q.map((s) => s.id)).toEqual(['b']);
    q = applyToQueue(q, session('b', { status: 'offered', offered_to: 'you' }), 'me');
    expect(q).toEqual([]);
  });
});

describe('shortPage', () => {
  it('shows host and path', () => {
    expect(shortPage('https://example.com/pricing?x=1')).toBe('example.com/pricing');
    expect(shortPage('http://127.0.0.1:8080/')).toBe('127.0.0.1:8080');
    expect(shortPage('not a url')).toBe('not a url');
    expect(shortPage(null)).toBeNull();
  });
});

describe('which new client alerts me', () => {
  const me = { id: 'u1', online: true, channels: [{ channel: 'chat' as const, enabled: true }, { channel: 'email' as const, enabled: false }] };

  it('an offer made to me, whatever my state', () => {
    expect(alertsMe({ status: 'offered', offered_to: 'u1', channel: 'chat' }, { ...me, online: false })).toBe(true);
    expect(alertsMe({ status: 'offered', offered_to: 'u2', channel: 'chat' }, me)).toBe(false);
  });

  it('a waiting client only while I am online with its channel on', () => {
    expect(alertsMe({ status: 'waiting', offered_to: null, channel: 'chat' }, me)).toBe(true);
    expect(alertsMe({ status: 'waiting', offered_to: null, channel: 'email' }, me)).toBe(false);
    expect(alertsMe({ status: 'waiting', offered_to: null, channel: 'phone' }, me)).toBe(false);
    expect(alertsMe({ status: 'waiting', offered_to: null, channel: 'chat' }, { ...me, online: false })).toBe(false);
  });
});

describe('the envelope', () => {
  const conv = (id: string, messages: Message[], readSeq = 0) => ({
    session: session(id, { channel: 'email', status: 'active', operator_id: 'me' }),
    messages,
    readSeq,
  });

  it('counts e-mail threads waiting for me and my unread e-mail conversations, and opens the first', () => {
    const queue = [
      session('e1', { channel: 'email' }),
      session('c1', { channel: 'chat' }),
      session('e2', { channel: 'email', status: 'offered', offered_to: 'me' }),
      session('e3', { channel: 'email', status: 'offered', offered_to: 'someone-else' }),
    ];
    const mine = [conv('read', [msg(1)], 1), conv('new', [msg(1), msg(2)], 1)];
    expect(emailWaiting(queue, mine, 'me')).toEqual({ count: 3, openFirst: 'new' });
  });

  it('is empty without e-mail', () => {
    expect(emailWaiting([session('c1')], [], 'me')).toEqual({ count: 0, openFirst: null });
  });
});
