import { describe, expect, it } from 'vitest';
import { translate } from './i18n';
import { callSeconds, cleanNumber, dialProblem, dialable, earlierSessions, lineText, parsePhoneLine, parsePhoneLineChanged } from './phone';
import type { Session } from './types';

const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
const cs = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('cs', key, params);

describe('phone line', () => {
  it('parses the line and its event', () => {
    expect(parsePhoneLine({ extension: '201', state: 'ready', reason: null })).toEqual({ extension: '201', state: 'ready', reason: null });
    expect(parsePhoneLine({ state: 'weird' })).toBeNull();
    expect(parsePhoneLineChanged({ operator_id: 'u', name: 'Eva', phone_line: null })).toEqual({ operator_id: 'u', name: 'Eva', phone_line: null });
    expect(parsePhoneLineChanged({ operator_id: 'u' })).toBeNull();
  });
  it('says the state and the reason in words, in both languages', () => {
    expect(lineText({ extension: '201', state: 'ready', reason: null }, en)).toBe('Phone line: ready');
    expect(lineText({ extension: '201', state: 'unavailable', reason: 'not_registered' }, en)).toBe('Phone line unavailable: phone not registered');
    expect(lineText({ extension: '201', state: 'unavailable', reason: 'channel_off' }, en)).toBe('Phone line unavailable: channel off');
    expect(lineText({ extension: '201', state: 'ready', reason: null }, cs)).toBe('Telefonní linka: připravena');
    expect(lineText({ extension: null, state: 'unavailable', reason: 'no_extension' }, cs)).toBe('Telefonní linka nedostupná: není přidělená klapka');
  });
  it('cleans and checks numbers, and names dial errors', () => {
    expect(cleanNumber(' +420 777-123 456 ')).toBe('+420777123456');
    expect(cleanNumber('12+3')).toBe('123');
    expect(dialable('+420777123456')).toBe(true);
    expect(dialable('12')).toBe(false);
    expect(dialProblem(409, 'line_unavailable')).toBe('phone.err.line_unavailable');
    expect(dialProblem(409, 'telephony_not_configured')).toBe('phone.err.not_configured');
    expect(dialProblem(409, 'exchange_unreachable')).toBe('phone.err.exchange_unreachable');
    expect(dialProblem(409, 'something_new')).toBe('phone.err.failed');
    expect(cleanNumber('*21#')).toBe('*21#');
    expect(dialable('*21#')).toBe(true);
    expect(dialable('*#')).toBe(false);
    expect(dialProblem(422, 'invalid_number')).toBe('phone.err.invalid_number');
    expect(dialProblem(500, 'x')).toBe('phone.err.failed');
  });
  it('counts earlier sessions and call time', () => {
    const s = (id: string, created_at: string) => ({ id, created_at }) as Session;
    expect(earlierSessions([s('a', '2026-01-01T10:00:00Z'), s('b', '2026-02-01T10:00:00Z'), s('now', '2026-03-01T10:00:00Z')], 'now')).toEqual({
      count: 2,
      last: '2026-02-01T10:00:00Z',
    });
    const call = { created_at: '2026-01-01T10:00:00Z', accepted_at: '2026-01-01T10:00:05Z', ended_at: null } as Session;
    expect(callSeconds(call, Date.parse('2026-01-01T10:01:05Z'))).toBe(60);
  });
});
