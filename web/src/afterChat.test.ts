import { describe, expect, it } from 'vitest';
import { countdown, readAfterChatChanged, restingChannels, secondsLeft } from './afterChat';

const at = (s: number) => new Date(Date.UTC(2026, 0, 5, 9, 0, s)).toISOString();
const t0 = Date.parse(at(0));
const rest = (channel: 'chat' | 'email', ends: number, ended: string | null = null) => ({
  operator_id: 'u',
  session_id: 's',
  channel,
  started_at: at(0),
  ends_at: at(ends),
  ended_at: ended,
});

describe('after-chat work', () => {
  it('counts down to the last rest that still runs', () => {
    const works = [rest('chat', 30), rest('email', 10)];
    expect(secondsLeft(works, t0)).toBe(30);
    expect(secondsLeft(works, t0 + 29_100)).toBe(1);
    expect(secondsLeft(works, t0 + 30_000)).toBe(0);
    expect(restingChannels(works, t0 + 15_000)).toEqual(['chat']);
    expect(secondsLeft([rest('chat', 30, at(5))], t0 + 1000)).toBe(0);
    expect(countdown(75)).toBe('1:15');
    expect(countdown(-3)).toBe('0:00');
  });
  it('reads the event only when it is as documented', () => {
    expect(readAfterChatChanged({ operator_id: 'u', after_chat: [rest('chat', 30)] })?.after_chat).toHaveLength(1);
    expect(readAfterChatChanged({ operator_id: 'u', after_chat: [{ channel: 'fax' }] })).toBeNull();
    expect(readAfterChatChanged({ after_chat: [] })).toBeNull();
  });
});
