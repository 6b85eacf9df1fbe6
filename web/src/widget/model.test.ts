import { describe, expect, it } from 'vitest';
import type { IncomingFrame } from '../realtime';
import { newMessageId } from '../messages';
import { parseServerMessage } from '../seq';
import { WIDGET_DICTIONARIES, pluralForm, widgetLang, wt, wtCount } from './i18n';
import {
  acceptFor,
  apiBase,
  chatKey,
  formatEstimate,
  parseClientFrame,
  parseOutbox,
  parseStoredChat,
  visiblePending,
  queueText,
  withPending,
  withoutPending,
  wsProtocolsFor,
  widgetAccent,
  widgetGroup,
  wsUrlFor,
} from './model';

describe('where the API is', () => {
  it('is the folder of the script', () => {
    expect(apiBase('http://hovor.example:8080/widget.js', 'https://shop.example/')).toBe('http://hovor.example:8080/');
    expect(apiBase('/widget.js', 'http://127.0.0.1:5000/demo-site/')).toBe('http://127.0.0.1:5000/');
    expect(apiBase('https://x.example/hovor/widget.js?v=2', 'https://a.example/')).toBe('https://x.example/hovor/');
  });
  it('builds the WebSocket URL with last_seq, and offers the token as a subprotocol', () => {
    expect(wsUrlFor('https://x.example/', null)).toBe('wss://x.example/api/v1/ws');
    expect(wsUrlFor('http://x.example/', 7)).toBe('ws://x.example/api/v1/ws?last_seq=7');
    expect(wsProtocolsFor('abc123')).toEqual(['hovor', 'hovor.client-token.abc123']);
  });
});

describe('storage', () => {
  it('parses the stored chat defensively', () => {
    expect(chatKey('demo')).toBe('hovor.widget.demo.chat');
    expect(parseStoredChat(null)).toBeNull();
    expect(parseStoredChat('{oops')).toBeNull();
    expect(parseStoredChat('{"session_id":1}')).toBeNull();
    expect(parseStoredChat('{"session_id":"s","client_token":"t","open":true}')).toEqual({ session_id: 's', client_token: 't', open: true });
  });
  it('keeps an outbox in order without duplicate ids', () => {
    let box = withPending([], { id: 'a', text: 'one' });
    box = withPending(box, { id: 'b', text: 'two' });
    box = withPending(box, { id: 'a', text: 'one' });
    expect(box.map((p) => p.id)).toEqual(['a', 'b']);
    expect(withoutPending(box, 'a').map((p) => p.id)).toEqual(['b']);
    expect(parseOutbox(JSON.stringify(box))).toEqual(box);
    expect(parseOutbox('[{"id":1}]')).toEqual([]);
    expect(parseOutbox('nope')).toEqual([]);
  });
  it('hides a pending message once its stored copy arrived', () => {
    const msg = (seq: number, text: string, author: 'client' | 'operator' = 'client') => ({ seq, author, operator_name: null, text, sent_at: '', internal: false, attachments: [] });
    const box = [
      { id: 'a', text: 'hi', after: 2 },
      { id: 'b', text: 'hi', after: 2 },
      { id: 'c', text: 'later', after: 2 },
    ];
    expect(visiblePending(box, [msg(1, 'hi')]).map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(visiblePending(box, [msg(1, 'hi'), msg(3, 'hi')]).map((p) => p.id)).toEqual(['b', 'c']);
    expect(visiblePending(box, [msg(3, 'hi'), msg(4, 'hi'), msg(5, 'later', 'operator')]).map((p) => p.id)).toEqual(['c']);
  });
  it('makes message ids with or without randomUUID', () => {
    expect(newMessageId({ randomUUID: () => 'uuid-1' })).toBe('uuid-1');
    const id = newMessageId(undefined);
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(newMessageId(undefined)).not.toBe(id);
  });
});

describe('texts', () => {
  it('has the same keys in both languages and detects Czech', () => {
    expect(Object.keys(WIDGET_DICTIONARIES.cs).sort()).toEqual(Object.keys(WIDGET_DICTIONARIES.en).sort());
    expect(widgetLang('cs-CZ')).toBe('cs');
    expect(widgetLang('en-US')).toBe('en');
    expect(widgetLang(undefined)).toBe('en');
    expect(wt('cs', 'button')).toBe('Napište nám');
    expect(wt('en', 'button')).toBe('Chat with us');
  });
  it('keeps Czech typography in the Czech texts', () => {
    for (const [key, text] of Object.entries(WIDGET_DICTIONARIES.cs)) {
      expect([key, /(^|[\s(„])[ksvzouaiKSVZOUAI] /.test(text)]).toEqual([key, false]);
      expect([key, text.includes('"') || text.includes('—')]).toEqual([key, false]);
    }
  });
  it('describes the queue', () => {
    expect(formatEstimate(20, 'en')).toBe('1 min');
    expect(formatEstimate(95, 'en')).toBe('2 min');
    expect(queueText('en', 2, 60)).toBe('You are number 2 in the queue, about 1 min.');
    expect(queueText('cs', 2, 60)).toBe('Jste 2. ve frontě, čekání potrvá asi 1\u00a0minutu.');
    expect(queueText('cs', 4, 600)).toBe('Jste 4. ve frontě, čekání potrvá asi 10\u00a0minut.');
    expect(queueText('en', 3, null)).toBe('You are number 3 in the queue.');
    expect(queueText('en', 1, 30)).toBe('You are number 1 in the queue; it should take less than a minute.');
    expect(queueText('cs', 1, 30)).toBe('Jste 1. ve frontě, mělo by to trvat méně než minutu.');
    expect(queueText('en', null, null)).toBe('Connecting you with an operator…');
  });
  it('picks the Czech form for the count: 1 / 2–4 / 5 and more', () => {
    expect([0, 1, 2, 3, 4, 5, 11, 12, 21, 22, 25, 100].map((n) => pluralForm('cs', n))).toEqual([2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2]);
    expect(pluralForm('cs', 1.5)).toBe(1);
    expect([0, 1, 2, 5, 21].map((n) => pluralForm('en', n))).toEqual([1, 0, 1, 1, 1]);
    expect(formatEstimate(60, 'cs')).toBe('1\u00a0minutu');
    expect(formatEstimate(150, 'cs')).toBe('3\u00a0minuty');
    expect(formatEstimate(240, 'cs')).toBe('4\u00a0minuty');
    expect(formatEstimate(300, 'cs')).toBe('5\u00a0minut');
    expect(formatEstimate(21 * 60, 'cs')).toBe('21\u00a0minut');
    // One form serves every count in English.
    expect(wtCount('en', 'minutes', 1)).toBe('1 min');
    expect(wtCount('en', 'minutes', 7)).toBe('7 min');
  });
});

describe('frames', () => {
  /** A frame as the shared socket hands it over (its envelope parsed). */
  const incoming = (value: unknown): IncomingFrame => {
    const frame = parseServerMessage(JSON.stringify(value));
    if (!frame) throw new Error(`not a frame: ${JSON.stringify(value)}`);
    return frame;
  };
  const read = (value: unknown) => parseClientFrame(incoming(value));
  const session = { id: 's', status: 'waiting', channel: 'chat', end_reason: null, created_at: 'x', group_id: 'g', source: 'widget', client: {} };
  const msg = { seq: 2, author: 'operator', operator_id: 'o', operator_name: 'Jana', text: '<b>hi</b>', sent_at: 'x', attachments: [] };

  it('reads the hello: the session, its place in the queue, whether ratings are asked for, and which files go', () => {
    const files = { kinds: ['images', 'pdf', 'programs'], max_mb: 10 };
    expect(read({ type: 'hello', last_seq: 4, session, queue_position: 1, estimated_wait_s: 30, ratings: true, files })).toEqual({
      type: 'hello',
      last_seq: 4,
      session,
      queue_position: 1,
      estimated_wait_s: 30,
      ratings: true,
      files: { kinds: ['images', 'pdf'], max_mb: 10 },
      transcript_by_email: false,
    });
    expect(read({ type: 'hello', last_seq: 4, session })).toEqual({
      type: 'hello',
      last_seq: 4,
      session,
      queue_position: null,
      estimated_wait_s: null,
      ratings: false,
      files: { kinds: [], max_mb: 0 },
      transcript_by_email: false,
    });
    // An operator's hello (no session) is not a client's.
    expect(read({ type: 'hello', last_seq: 4 })).toBeNull();
  });

  it('reads who is typing, and nothing malformed', () => {
    expect(read({ type: 'typing', session_id: 's', from: 'operator' })).toEqual({ type: 'typing', session_id: 's', from: 'operator' });
    expect(read({ type: 'typing', session_id: 's', from: 'robot' })).toBeNull();
    expect(read({ type: 'typing', from: 'operator' })).toBeNull();
  });

  it('reads messages and session changes, as the document types them', () => {
    expect(read({ type: 'event', seq: 5, event: 'message.created', data: { session_id: 's', message: msg } })).toEqual({
      type: 'event',
      seq: 5,
      event: 'message.created',
      data: { session_id: 's', message: msg },
    });
    const changed = read({ type: 'event', seq: 6, event: 'session.changed', data: { session: { ...session, status: 'active' }, queue_position: null } });
    expect(changed).toEqual({
      type: 'event',
      seq: 6,
      event: 'session.changed',
      data: { session: { ...session, status: 'active' }, queue_position: null, estimated_wait_s: null },
    });
  });

  it('rejects payloads that are not the documented ones', () => {
    expect(read({ type: 'event', seq: 5, event: 'message.created', data: null })).toBeNull();
    expect(read({ type: 'event', seq: 5, event: 'message.created', data: { message: msg } })).toBeNull();
    expect(read({ type: 'event', seq: 5, event: 'message.created', data: { session_id: 's', message: { ...msg, author: 'bot' } } })).toBeNull();
    expect(read({ type: 'event', seq: 5, event: 'message.created', data: { session_id: 's', message: { ...msg, operator_name: 7 } } })).toBeNull();
    expect(read({ type: 'event', seq: 6, event: 'session.changed', data: { session: { ...session, status: 'weird' } } })).toBeNull();
    expect(read({ type: 'event', seq: 6, event: 'session.changed', data: { session: { id: 's', status: 'active' } } })).toBeNull();
    expect(read({ type: 'hello', last_seq: 4, session: { ...session, id: 1 } })).toBeNull();
    // The operator's events and the frames the shared socket handles are not the widget's.
    expect(read({ type: 'event', seq: 7, event: 'operator.state_changed', data: {} })).toBeNull();
    expect(read({ type: 'ping' })).toBeNull();
    expect(read({ type: 'queue.changed' })).toBeNull();
  });

  it('reads the new place in the queue', () => {
    expect(read({ type: 'queue', queue_position: 2, estimated_wait_s: 90 })).toEqual({ type: 'queue', queue_position: 2, estimated_wait_s: 90 });
    expect(read({ type: 'queue', queue_position: 1, estimated_wait_s: null })).toEqual({ type: 'queue', queue_position: 1, estimated_wait_s: null });
    expect(read({ type: 'queue', queue_position: 'first' })).toEqual({ type: 'queue', queue_position: null, estimated_wait_s: null });
  });
});

describe('invitations in the widget', () => {
  it('keeps one conversation per code, however the code is written', async () => {
    const { invitationChatKey, invitationOutboxKey, normalizeCode } = await import('./model');
    expect(normalizeCode('7qk2m-abcde fghjk')).toBe('7QK2MABCDEFGHJK');
    expect(invitationChatKey('7qk2m-abcde')).toBe(invitationChatKey('7QK2MABCDE'));
    expect(invitationOutboxKey('ab-cd')).toBe('hovor.widget.invitation.ABCD.outbox');
  });
  it('names the redeem errors', async () => {
    const { redeemProblem } = await import('./model');
    expect(redeemProblem(410, 'invitation_used')).toBe('invitationUsed');
    expect(redeemProblem(410, 'invitation_invalidated')).toBe('invitationInvalidated');
    expect(redeemProblem(404, 'not_found')).toBe('invitationUnknown');
    expect(redeemProblem(429, 'too_many_attempts')).toBe('tooMany');
    expect(redeemProblem(0, 'network')).toBe('invitationFailed');
  });
  it('takes the page language when the landing page says it', () => {
    expect(widgetLang('en-US', 'cs')).toBe('cs');
    expect(widgetLang('cs-CZ', 'en')).toBe('en');
    expect(widgetLang('cs-CZ', null)).toBe('cs');
  });
});

describe('the snippet attributes', () => {
  it('take a group id and a #rrggbb colour, and ignore anything else', () => {
    expect(widgetGroup('grp_abc-1')).toBe('grp_abc-1');
    expect(widgetGroup('grp abc')).toBeNull();
    expect(widgetGroup('"><script>')).toBeNull();
    expect(widgetGroup(undefined)).toBeNull();
    expect(widgetAccent('#1D4ED8')).toBe('#1d4ed8');
    expect(widgetAccent('red')).toBeNull();
    expect(widgetAccent('#123')).toBeNull();
    expect(widgetAccent('#123456;background:url(x)')).toBeNull();
  });
});

describe('acceptFor', () => {
  it('offers the camera for pictures and names the documents the company takes', () => {
    expect(acceptFor(['images'])).toBe('image/*');
    expect(acceptFor(['images', 'pdf'])).toBe('image/*,application/pdf,.pdf');
    expect(acceptFor([])).toBe('');
  });
});
