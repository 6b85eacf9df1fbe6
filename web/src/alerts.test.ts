import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  LEASE_STALE_MS,
  LEDGER_TTL_MS,
  applyPatch,
  badgeText,
  claimKey,
  eventKey,
  gainFor,
  isWindowActive,
  messagePreview,
  parseLease,
  parseLedger,
  parseSettings,
  shouldAlert,
  shouldTakeLease,
  titleWithCount,
  type AlertEvent,
  type AlertInput,
  type NotificationSettings,
} from './alerts';

const S = DEFAULT_SETTINGS;
const always: NotificationSettings = { ...S, when: 'always' };
const noClientSound = applyPatch(S, { new_client: { sound: false } });
const noClientBrowser = applyPatch(S, { new_client: { browser: false } });
const noMessageSound = applyPatch(S, { new_message: { sound: false } });
const noMessageBrowser = applyPatch(S, { new_message: { browser: false } });
const silent = applyPatch(S, { new_client: { volume: 0 } });

function base(event: AlertEvent, over: Partial<AlertInput> = {}): AlertInput {
  return { event, settings: S, windowActive: false, isLeaderTab: true, permission: 'granted', ...over };
}

describe('shouldAlert', () => {
  const cases: [string, AlertInput, { sound: boolean; notification: boolean }][] = [
    ['new client, window inactive, leader', base('new_client'), { sound: true, notification: true }],
    ['new message, window inactive, leader', base('new_message'), { sound: true, notification: true }],
    ['new client, window active', base('new_client', { windowActive: true }), { sound: false, notification: false }],
    ['new message, window active', base('new_message', { windowActive: true }), { sound: false, notification: false }],
    ['not the leader tab', base('new_client', { isLeaderTab: false }), { sound: false, notification: false }],
    ['not the leader, even with "always"', base('new_client', { isLeaderTab: false, settings: always, windowActive: true }), { sound: false, notification: false }],
    ['another tab of mine is active', base('new_client', { otherTabActive: true }), { sound: false, notification: false }],
    ['another tab active, but "always"', base('new_client', { otherTabActive: true, settings: always }), { sound: true, notification: true }],
    ['already alerted (other tab or replay)', base('new_message', { alreadyAlerted: true }), { sound: false, notification: false }],
    ['"always" in front', base('new_client', { windowActive: true, settings: always }), { sound: true, notification: true }],
    ['"always", message in another conversation', base('new_message', { windowActive: true, settings: always }), { sound: true, notification: true }],
    ['"always", the open conversation in front', base('new_message', { windowActive: true, settings: always, conversationOpen: true }), { sound: false, notification: false }],
    ['open conversation but window inactive', base('new_message', { conversationOpen: true }), { sound: true, notification: true }],
    ['client sound off', base('new_client', { settings: noClientSound }), { sound: false, notification: true }],
    ['client browser off', base('new_client', { settings: noClientBrowser }), { sound: true, notification: false }],
    ['client sound off does not touch messages', base('new_message', { settings: noClientSound }), { sound: true, notification: true }],
    ['message sound off', base('new_message', { settings: noMessageSound }), { sound: false, notification: true }],
    ['message browser off', base('new_message', { settings: noMessageBrowser }), { sound: true, notification: false }],
    ['message browser off does not touch clients', base('new_client', { settings: noMessageBrowser }), { sound: true, notification: true }],
    ['volume 0 = no sound', base('new_client', { settings: silent }), { sound: false, notification: true }],
    ['permission denied', base('new_client', { permission: 'denied' }), { sound: true, notification: false }],
    ['permission not asked yet', base('new_client', { permission: 'default' }), { sound: true, notification: false }],
    ['notifications unsupported', base('new_message', { permission: 'unsupported' }), { sound: true, notification: false }],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => expect(shouldAlert(input)).toEqual(expected));
  }
});

describe('window state', () => {
  it('is active only when visible and focused', () => {
    expect(isWindowActive({ hidden: false, hasFocus: true })).toBe(true);
    expect(isWindowActive({ hidden: false, hasFocus: false })).toBe(false); // headless: another tab in front
    expect(isWindowActive({ hidden: true, hasFocus: true })).toBe(false);
    expect(isWindowActive({ hidden: true, hasFocus: false })).toBe(false);
  });
});

describe('settings', () => {
  it('defaults when the server sends nothing', () => {
    expect(parseSettings(null)).toEqual(S);
    expect(parseSettings(undefined)).toEqual(S);
    expect(S.new_client).toEqual({ sound: true, tone: 'chime', volume: 70, browser: true });
    expect(S.new_message).toEqual({ sound: true, tone: 'pop', volume: 70, browser: true });
    expect(S.when).toBe('inactive');
  });
  it('reads what the server sends and fixes what is broken', () => {
    const s = parseSettings({
      when: 'always',
      new_client: { sound: false, tone: 'bell', volume: 30, browser: false },
      new_message: { tone: 'trumpet', volume: 250 },
    });
    expect(s.when).toBe('always');
    expect(s.new_client).toEqual({ sound: false, tone: 'bell', volume: 30, browser: false });
    expect(s.new_message).toEqual({ sound: true, tone: 'pop', volume: 100, browser: true });
    expect(parseSettings({ when: 'sometimes' }).when).toBe('inactive');
  });
  it('applies partial patches, nested too', () => {
    const s = applyPatch(S, { new_message: { sound: false } });
    expect(s.new_message).toEqual({ ...S.new_message, sound: false });
    expect(s.new_client).toEqual(S.new_client);
    expect(applyPatch(S, { when: 'always' }).when).toBe('always');
    expect(S.new_message.sound).toBe(true); // not mutated
  });
  it('maps volume to a gain', () => {
    expect(gainFor(0)).toBe(0);
    expect(gainFor(100)).toBeCloseTo(0.6);
    expect(gainFor(50)).toBeLessThan(gainFor(70));
    expect(gainFor(500)).toBeCloseTo(0.6);
  });
});

describe('the ledger (exactly one alert per event across tabs)', () => {
  it('uses one key per queue client and per message', () => {
    expect(eventKey('new_client', 's1')).toBe('client:s1');
    expect(eventKey('new_message', 's1', 7)).toBe('message:s1:7');
    expect(eventKey('new_message', 's1', 8)).not.toBe(eventKey('new_message', 's1', 7));
  });
  it('claims a key once', () => {
    const a = claimKey({}, 'client:s1', 1000);
    expect(a.claimed).toBe(true);
    const b = claimKey(a.ledger, 'client:s1', 2000);
    expect(b.claimed).toBe(false);
    expect(claimKey(b.ledger, 'client:s2', 2000).claimed).toBe(true);
  });
  it('forgets old keys', () => {
    const a = claimKey({}, 'k', 0);
    expect(claimKey(a.ledger, 'k', LEDGER_TTL_MS + 1).claimed).toBe(true);
  });
  it('survives garbage in storage', () => {
    expect(parseLedger(null)).toEqual({});
    expect(parseLedger('nope')).toEqual({});
    expect(parseLedger('[1,2]')).toEqual({});
    expect(parseLedger('{"a":1,"b":"x"}')).toEqual({ a: 1 });
  });
});

describe('the lease (leader tab without Web Locks)', () => {
  const now = 100_000;
  it('is taken when free, own, stale, or when focused', () => {
    expect(shouldTakeLease(null, 'a', now, false)).toBe(true);
    expect(shouldTakeLease({ tab: 'a', at: now - 1000 }, 'a', now, false)).toBe(true);
    expect(shouldTakeLease({ tab: 'b', at: now - 1000 }, 'a', now, false)).toBe(false);
    expect(shouldTakeLease({ tab: 'b', at: now - LEASE_STALE_MS - 1 }, 'a', now, false)).toBe(true);
    expect(shouldTakeLease({ tab: 'b', at: now }, 'a', now, true)).toBe(true);
  });
  it('parses safely', () => {
    expect(parseLease('{"tab":"x","at":5}')).toEqual({ tab: 'x', at: 5 });
    expect(parseLease('{"tab":1}')).toBeNull();
    expect(parseLease('')).toBeNull();
    expect(parseLease('{')).toBeNull();
  });
});

describe('title, badge and preview', () => {
  it('shows the count in the title', () => {
    expect(titleWithCount('Hovor', 0)).toBe('Hovor');
    expect(titleWithCount('Hovor', 3)).toBe('(3) Hovor');
  });
  it('shortens the badge', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(12)).toBe('9+');
  });
  it('puts a message on one short line', () => {
    expect(messagePreview('a\n\n b  c')).toBe('a b c');
    expect(messagePreview('x'.repeat(200), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
