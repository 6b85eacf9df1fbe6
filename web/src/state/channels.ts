// My channels and their switches, and the company settings that say whether I may switch them.

import { computed, signal } from '@preact/signals';
import { ApiError, api } from '../api/client';
import { sortChannels, withChannel } from '../channels';
import type { OperatorChannelsChanged } from '../realtime';
import type { Channel, ChannelSetting, CompanySettings } from '../types';
import { me } from './me';
import { patchTeamMember } from './team';

export const myChannels = computed<ChannelSetting[]>(() => sortChannels(me.value?.channels ?? []));
export const companySettings = signal<CompanySettings | null>(null);
/** Who last changed my channels for me (a supervisor or admin), and when; null when I did. */
export const channelsChangedBy = signal<{ name: string; at: string } | null>(null);

export async function loadCompanySettings(): Promise<void> {
  try {
    companySettings.value = await api.companySettings();
  } catch {
    // Keep what we had; the switches stay usable and the server still decides.
  }
}

/**
 * At boot: the settings come live (`settings.changed`); they are read again when the operator comes
 * back to the tab too, in case the socket was down when they changed.
 */
export function watchCompanySettings(): void {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && me.value) void loadCompanySettings();
  });
}

export function applyChannelChanged(data: OperatorChannelsChanged): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) {
    me.value = { ...current, channels: sortChannels(data.channels) };
    channelsChangedBy.value = data.changed_by ? { name: data.changed_by.name, at: new Date().toISOString() } : null;
  }
  patchTeamMember(data.operator_id, { channels: sortChannels(data.channels) });
}

/** Switches one of my channels; resolves to null, or the error (its code tells why). */
export async function toggleMyChannel(channel: Channel, enabled: boolean): Promise<ApiError | null> {
  const current = me.value;
  if (!current) return null;
  try {
    const updated = await api.setChannel(current.user.id, channel, enabled);
    const now = me.value;
    if (now) me.value = { ...now, channels: withChannel(sortChannels(now.channels ?? []), updated) };
    return null;
  } catch (err) {
    if (err instanceof ApiError && err.code === 'channel_toggle_forbidden') {
      const s = companySettings.value;
      if (s) companySettings.value = { ...s, operators_may_toggle_channels: false };
    }
    return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
  }
}
