import { describe, expect, it } from 'vitest';
import { isChannel, isChannelList, sortChannels, withChannel } from './channels';
import { translate } from './i18n';
import { CHANNEL_LABEL } from './channels';

describe('channels', () => {
  it('orders chat, av, email, phone and drops unknown ones', () => {
    const list = sortChannels([
      { channel: 'phone', enabled: true, capacity: 1 },
      { channel: 'chat', enabled: false, capacity: 3 },
      { channel: 'fax' as 'chat', enabled: true, capacity: 1 },
    ]);
    expect(list.map((c) => c.channel)).toEqual(['chat', 'phone']);
  });
  it('replaces one channel', () => {
    const list = [
      { channel: 'chat' as const, enabled: true, capacity: 3 },
      { channel: 'av' as const, enabled: true, capacity: 1 },
    ];
    expect(withChannel(list, { channel: 'chat', enabled: false, capacity: 3 })[0]?.enabled).toBe(false);
  });
  it('validates event data', () => {
    expect(isChannel('email')).toBe(true);
    expect(isChannel('fax')).toBe(false);
    expect(isChannelList([{ channel: 'chat', enabled: true, capacity: 3 }])).toBe(true);
    expect(isChannelList([{ channel: 'chat', enabled: 'yes', capacity: 3 }])).toBe(false);
    expect(isChannelList(null)).toBe(false);
  });
  it('has names in both languages', () => {
    expect(translate('en', CHANNEL_LABEL.phone)).toBe('Phone');
    expect(translate('cs', CHANNEL_LABEL.phone)).toBe('Telefon');
    expect(translate('cs', CHANNEL_LABEL.av)).toBe('Audio/video');
  });
});
