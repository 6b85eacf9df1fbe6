import { describe, expect, it } from 'vitest';
import { readOperatorEvent } from './operatorEvents';
import type { IncomingEvent } from './realtime';
import { parseServerMessage } from './seq';

/** An event frame as the shared socket hands it over (its envelope parsed). */
function incoming(event: string, data: unknown): IncomingEvent {
  const frame = parseServerMessage(JSON.stringify({ type: 'event', seq: 1, event, data }));
  if (frame?.type !== 'event') throw new Error(`not an event frame: ${event}`);
  return frame;
}
const read = (event: string, data: unknown) => readOperatorEvent(incoming(event, data));

const state = { operator_id: 'u', presence: 'online', status: 'online', cause: 'manual', since: '2026-01-01T00:00:00Z', pause_type: null };
const session = { id: 's', status: 'waiting', channel: 'chat', source: 'widget', created_at: 'x', group_id: 'g', client: {} };
const message = { seq: 3, author: 'client', text: 'hi', sent_at: 'x', attachments: [] };

describe('the operator stream', () => {
  it('reads each event of the document with its data', () => {
    expect(read('operator.state_changed', { operator_id: 'u', name: 'Jana', state })).toEqual({
      event: 'operator.state_changed',
      data: { operator_id: 'u', name: 'Jana', state },
    });
    const channels = [{ channel: 'chat', enabled: true, capacity: 3 }];
    expect(read('operator.channel_changed', { operator_id: 'u', name: 'Jana', channels })?.data).toEqual({ operator_id: 'u', name: 'Jana', channels });
    expect(read('operator.phone_line_changed', { operator_id: 'u', name: 'Jana', phone_line: null })?.data).toEqual({
      operator_id: 'u',
      name: 'Jana',
      phone_line: null,
    });
    const settings = read('me.notification_settings_changed', { notification_settings: { when: 'always' } });
    expect(settings?.event === 'me.notification_settings_changed' && settings.data.notification_settings.when).toBe('always');
    // The operator's session events carry no place in the queue (null).
    for (const name of ['session.changed', 'session.offered']) {
      expect(read(name, { session, queue_position: null, estimated_wait_s: null })).toEqual({
        event: name,
        data: { session, queue_position: null, estimated_wait_s: null },
      });
    }
    expect(read('message.created', { session_id: 's', message })).toEqual({ event: 'message.created', data: { session_id: 's', message } });
    const email = { id: 'e', message_seq: 4, send_state: 'sent', send_error: null, attachments: [] };
    expect(read('email.send_state_changed', { session_id: 's', email })?.data).toEqual({ session_id: 's', email });
  });

  it('drops data that is not as documented', () => {
    expect(read('operator.state_changed', { operator_id: 'u', state: { ...state, presence: 'asleep' } })).toBeNull();
    expect(read('operator.state_changed', { operator_id: 'u' })).toBeNull();
    expect(read('operator.channel_changed', { operator_id: 'u', channels: [{ channel: 'fax', enabled: true, capacity: 1 }] })).toBeNull();
    expect(read('operator.phone_line_changed', { operator_id: 'u' })).toBeNull();
    expect(read('me.notification_settings_changed', { notification_settings: 'loud' })).toBeNull();
    expect(read('session.changed', { session: { ...session, status: 'lost' } })).toBeNull();
    expect(read('session.offered', null)).toBeNull();
    expect(read('message.created', { message })).toBeNull();
    expect(read('message.created', { session_id: 's', message: { ...message, seq: '3' } })).toBeNull();
    expect(read('email.send_state_changed', { session_id: 's' })).toBeNull();
    expect(read('email.send_state_changed', { session_id: 's', email: { id: 'e', message_seq: '4', send_state: 'sent' } })).toBeNull();
  });
});
