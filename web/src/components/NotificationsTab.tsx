import { useEffect, useState } from 'preact/hooks';
import { ALERT_EVENTS, TONES, type AlertEvent, type AlertWhen, type EventSettings, type NotificationSettingsPatch, type Tone } from '../alerts';
import type { MessageKey } from '../i18n';
import { notificationPermission, requestPermission, testNotification, testSound, type PermissionState } from '../state/alerts';
import { audioBlocked } from '../sound';
import { t } from '../state/lang';
import { me } from '../state/me';
import { notificationSettings, updateNotificationSettings } from '../state/notificationSettings';

const PERMISSION_KEY: Record<PermissionState, MessageKey> = {
  granted: 'notif.permission.granted',
  denied: 'notif.permission.denied',
  default: 'notif.permission.default',
  unsupported: 'notif.permission.unsupported',
};
const PERMISSION_HELP: Partial<Record<PermissionState, MessageKey>> = {
  granted: 'notif.permission.grantedHelp',
  denied: 'notif.permission.deniedHelp',
  default: 'notif.permission.defaultHelp',
};
const WHEN: readonly { id: AlertWhen; label: MessageKey }[] = [
  { id: 'inactive', label: 'notif.when.inactive' },
  { id: 'always', label: 'notif.when.always' },
];

/** The Notifications tab: my alert settings, saved on the server, with test buttons. */
export function NotificationsTab() {
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const settings = notificationSettings.value;
  const permission = notificationPermission.value;

  useEffect(() => {
    if (!status?.ok) return;
    const timer = setTimeout(() => setStatus(null), 2500);
    return () => clearTimeout(timer);
  }, [status]);

  if (!me.value) return null;

  const save = async (patch: NotificationSettingsPatch) => {
    setStatus(null);
    const err = await updateNotificationSettings(patch);
    setStatus(err ? { ok: false, text: t('notif.saveFailed', { message: err.message }) } : { ok: true, text: t('notif.saved') });
  };

  const help = PERMISSION_HELP[permission];
  return (
    <div class="notif">
      <p class="muted small notif-hint">{t('notif.hint')}</p>

      <section class="notif-permission" aria-labelledby="notif-permission-title">
        <div class="notif-permission-row">
          <h3 id="notif-permission-title" class="notif-subtitle">
            {t('notif.permission')}
          </h3>
          <span class={`tag notif-perm notif-perm-${permission}`} id="notif-permission-state">
            {t(PERMISSION_KEY[permission])}
          </span>
          {permission === 'default' && (
            <button type="button" class="btn btn-small btn-primary" onClick={() => void requestPermission()}>
              {t('notif.permission.ask')}
            </button>
          )}
        </div>
        {help && (
          <p class={`small ${permission === 'denied' ? 'alert alert-warn' : 'muted'}`} role={permission === 'denied' ? 'note' : undefined}>
            {t(help)}
          </p>
        )}
      </section>

      <fieldset class="notif-when">
        <legend class="notif-subtitle">{t('notif.when')}</legend>
        {WHEN.map((w) => (
          <label key={w.id} class="radio-row">
            <input type="radio" name="notif-when" value={w.id} checked={settings.when === w.id} onChange={() => void save({ when: w.id })} />
            <span>{t(w.label)}</span>
          </label>
        ))}
      </fieldset>

      <div class="notif-events">
        {ALERT_EVENTS.map((event) => (
          <EventCard
            key={event}
            event={event}
            value={settings[event]}
            permission={permission}
            onChange={(patch) => void save({ [event]: patch })}
            onStatus={setStatus}
          />
        ))}
      </div>

      {status && (
        <p class={`small ${status.ok ? 'saved' : 'alert alert-error'}`} role={status.ok ? 'status' : 'alert'}>
          {status.text}
        </p>
      )}
    </div>
  );
}

function EventCard({
  event,
  value,
  permission,
  onChange,
  onStatus,
}: {
  event: AlertEvent;
  value: EventSettings;
  permission: PermissionState;
  onChange: (patch: Partial<EventSettings>) => void;
  onStatus: (s: { ok: boolean; text: string } | null) => void;
}) {
  const [volume, setVolume] = useState(value.volume);
  useEffect(() => setVolume(value.volume), [value.volume]);
  const id = `notif-${event}`;
  return (
    <fieldset class="notif-event card-inset">
      <legend class="notif-subtitle">{t(`notif.event.${event}` as MessageKey)}</legend>

      <div class="notif-row">
        <span class="notif-label" id={`${id}-sound`}>
          {t('notif.sound')}
        </span>
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={value.sound}
          aria-labelledby={`${id}-sound`}
          onClick={() => onChange({ sound: !value.sound })}
        >
          <span class="switch-knob" aria-hidden="true" />
        </button>
      </div>
      <div class={`notif-sub${value.sound ? '' : ' is-off'}`}>
        <label class="notif-field">
          <span class="notif-label">{t('notif.tone')}</span>
          <select value={value.tone} onChange={(ev) => onChange({ tone: (ev.currentTarget as HTMLSelectElement).value as Tone })}>
            {TONES.map((tone) => (
              <option key={tone} value={tone}>
                {t(`notif.tone.${tone}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <label class="notif-field notif-volume">
          <span class="notif-label">{t('notif.volume')}</span>
          <input
            type="range"
            min={0}
            max={100}
            step={5}
            value={volume}
            aria-valuetext={t('notif.volumeValue', { value: volume })}
            onInput={(ev) => setVolume(Number((ev.currentTarget as HTMLInputElement).value))}
            onChange={(ev) => onChange({ volume: Number((ev.currentTarget as HTMLInputElement).value) })}
          />
          <span class="notif-volume-value small muted" aria-hidden="true">
            {t('notif.volumeValue', { value: volume })}
          </span>
        </label>
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            onStatus(null);
            void testSound(event);
          }}
        >
          <SpeakerIcon />
          {t('notif.testSound')}
        </button>
      </div>

      <div class="notif-row">
        <span class="notif-label" id={`${id}-browser`}>
          {t('notif.browser')}
        </span>
        <button
          type="button"
          role="switch"
          class="switch"
          aria-checked={value.browser}
          aria-labelledby={`${id}-browser`}
          aria-describedby={permission === 'granted' ? undefined : 'notif-permission-state'}
          onClick={() => onChange({ browser: !value.browser })}
        >
          <span class="switch-knob" aria-hidden="true" />
        </button>
      </div>
      <div class="notif-sub">
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            onStatus(null);
            if (!testNotification(event)) onStatus({ ok: false, text: t('notif.needPermission') });
          }}
        >
          <BellIcon />
          {t('notif.testNotification')}
        </button>
      </div>
    </fieldset>
  );
}

function SpeakerIcon() {
  return (
    <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M4 9h4l5-4v14l-5-4H4z" fill="currentColor" />
      <path d="M16 9a4 4 0 0 1 0 6M18.5 6.5a7.5 7.5 0 0 1 0 11" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" />
    </svg>
  );
}

function BellIcon() {
  return (
    <svg class="btn-icon" viewBox="0 0 24 24" aria-hidden="true">
      <path d="M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  );
}

/** "Click anywhere to enable sound alerts": shown when an alert found the audio still locked. */
export function AudioHint() {
  if (!audioBlocked.value) return null;
  return (
    <div class="audio-hint" role="status">
      <SpeakerIcon />
      {t('notif.audioHint')}
    </div>
  );
}
