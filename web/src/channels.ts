// Channels: labels, ordering and applying changes (pure).

import type { MessageKey } from './i18n';
import type { Channel, ChannelSetting } from './types';

/** Every channel, in the order the app lists them. */
export const CHANNELS = ['chat', 'av', 'email', 'phone'] as const satisfies readonly Channel[];
type Nothing<T extends never> = T;
/** Fails to compile while a channel of the API is missing from CHANNELS (place a new one there). */
export type EveryChannelListed = Nothing<Exclude<Channel, (typeof CHANNELS)[number]>>;

export const CHANNEL_LABEL: Readonly<Record<Channel, MessageKey>> = {
  chat: 'channel.chat',
  av: 'channel.av',
  email: 'channel.email',
  phone: 'channel.phone',
};

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

/** In the fixed order chat, av, email, phone; unknown channels dropped. */
export function sortChannels(list: readonly ChannelSetting[]): ChannelSetting[] {
  return list.filter((c) => isChannel(c.channel)).sort((a, b) => CHANNELS.indexOf(a.channel) - CHANNELS.indexOf(b.channel));
}

/** Replaces one channel's setting (the answer of a PUT) in a list. */
export function withChannel(list: readonly ChannelSetting[], updated: ChannelSetting): ChannelSetting[] {
  return list.map((c) => (c.channel === updated.channel ? updated : c));
}

export function isChannelList(value: unknown): value is ChannelSetting[] {
  return (
    Array.isArray(value) &&
    value.every((c) => {
      if (typeof c !== 'object' || c === null) return false;
      const r = c as Record<string, unknown>;
      return isChannel(r['channel']) && typeof r['enabled'] === 'boolean' && typeof r['capacity'] === 'number';
    })
  );
}
