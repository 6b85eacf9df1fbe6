import { useState } from 'preact/hooks';
import { CHANNEL_LABEL } from '../channels';
import { formatTime } from '../format';
import { channelsChangedBy, companySettings, myChannels, toggleMyChannel } from '../state/channels';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import type { Channel, ChannelSetting } from '../types';

/**
 * When a supervisor or admin changed my channels, says who and when, above whatever I am doing (a
 * conversation too), until I dismiss it.
 */
export function ChannelsChangedNotice() {
  const by = channelsChangedBy.value;
  if (!by) return null;
  return (
    <div class="alert alert-info away-notice" role="status">
      <span>{t('channels.changedBy', { name: by.name, time: formatTime(by.at, lang.value) })}</span>
      <button type="button" class="btn btn-small" onClick={() => (channelsChangedBy.value = null)}>
        {t('channels.changedByOk')}
      </button>
    </div>
  );
}

/** The Channels tab: my assigned channels with their on/off switches. */
export function ChannelsTab() {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Channel | null>(null);
  const current = me.value;
  if (!current) return null;
  const channels = myChannels.value;
  const settings = companySettings.value;
  // Supervisors and admins may always switch (the server lets them); operators only when allowed.
  const forbidden = current.user.role === 'operator' && settings !== null && !settings.operators_may_toggle_channels;

  const toggle = async (c: ChannelSetting) => {
    setBusy(c.channel);
    setError(null);
    const err = await toggleMyChannel(c.channel, !c.enabled);
    setBusy(null);
    if (err && err.code !== 'channel_toggle_forbidden') setError(t('channels.failed', { message: err.message }));
  };

  if (channels.length === 0) {
    return (
      <div class="empty">
        <p>{t('channels.none')}</p>
      </div>
    );
  }
  return (
    <div class="channels">
      <p class="muted small channels-hint">{t('channels.hint')}</p>
      {forbidden && (
        <div class="alert alert-info" role="note" id="channels-forbidden">
          {t('channels.forbidden')}
        </div>
      )}
      {error && (
        <div class="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <ul class="channel-list" aria-label={t('channels.title')}>
        {channels.map((c) => {
          const name = t(CHANNEL_LABEL[c.channel]);
          const capacity = c.channel === 'av' || c.channel === 'phone' ? t('channels.capacityOne') : t('channels.capacity', { count: c.capacity });
          return (
            <li key={c.channel} class={`channel-row${c.enabled ? ' is-on' : ''}`}>
              <ChannelIcon channel={c.channel} />
              <div class="channel-text">
                <span class="channel-name" id={`channel-name-${c.channel}`}>
                  {name}
                </span>
                <span class="muted small">{capacity}</span>
              </div>
              <span class="channel-state small" aria-hidden="true">
                {t(c.enabled ? 'channels.on' : 'channels.off')}
              </span>
              <button
                type="button"
                role="switch"
                class="switch"
                aria-checked={c.enabled}
                aria-labelledby={`channel-name-${c.channel}`}
                aria-describedby={forbidden ? 'channels-forbidden' : undefined}
                disabled={forbidden || busy === c.channel}
                onClick={() => void toggle(c)}
              >
                <span class="switch-knob" aria-hidden="true" />
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

export function ChannelIcon({ channel }: { channel: Channel }) {
  const paths: Record<Channel, string> = {
    chat: 'M5 6h14a2 2 0 0 1 2 2v7a2 2 0 0 1-2 2h-8l-4 3v-3H5a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z',
    av: 'M4 7h11a2 2 0 0 1 2 2v6a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2zm13 4 5-3v8l-5-3z',
    email: 'M3 6h18v12H3zM3 6l9 7 9-7',
    phone: 'M6 3h3l2 5-2 1.5a11 11 0 0 0 5.5 5.5L16 13l5 2v3a2 2 0 0 1-2 2A16 16 0 0 1 4 5a2 2 0 0 1 2-2z',
  };
  return (
    <span class={`channel-icon channel-${channel}`} aria-hidden="true">
      <svg viewBox="0 0 24 24">
        <path d={paths[channel]} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
      </svg>
    </span>
  );
}

/** Compact on/off chips for the Team table. */
export function ChannelChips({ channels }: { channels: readonly ChannelSetting[] }) {
  return (
    <span class="chips">
      {channels.map((c) => {
        const name = t(CHANNEL_LABEL[c.channel]);
        const state = t(c.enabled ? 'channels.on' : 'channels.off');
        return (
          <span key={c.channel} class={`chip${c.enabled ? ' is-on' : ''}`} title={t('team.channelState', { channel: name, state })}>
            <span class="visually-hidden">{t('team.channelState', { channel: name, state })}</span>
            <span aria-hidden="true">{name}</span>
          </span>
        );
      })}
    </span>
  );
}
