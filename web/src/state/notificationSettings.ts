// My alert settings (part of /me): read with defaults, changed optimistically, followed live from
// my other tabs and computers (me.notification_settings_changed).

import { computed } from '@preact/signals';
import { applyPatch, parseSettings, type NotificationSettings, type NotificationSettingsPatch } from '../alerts';
import { ApiError, api } from '../api/client';
import type { NotificationSettingsChanged } from '../realtime';
import { me } from './me';

/** My alert settings; the defaults until the server says otherwise. */
export const notificationSettings = computed<NotificationSettings>(() => parseSettings(me.value?.notification_settings));

function setNotificationSettings(next: NotificationSettings): void {
  const current = me.value;
  if (current) me.value = { ...current, notification_settings: next };
}

/** My settings changed in another tab (the event's data is checked, its gaps filled with defaults). */
export function applyNotificationSettingsEvent(data: NotificationSettingsChanged): void {
  setNotificationSettings(data.notification_settings);
}

/** Saves a partial change (shown at once); resolves to null, or the error after undoing it. */
export async function updateNotificationSettings(patch: NotificationSettingsPatch): Promise<ApiError | null> {
  const before = notificationSettings.value;
  setNotificationSettings(applyPatch(before, patch));
  try {
    setNotificationSettings(parseSettings(await api.updateNotificationSettings(patch)));
    return null;
  } catch (err) {
    setNotificationSettings(before);
    return err instanceof ApiError ? err : new ApiError(0, 'unknown', String(err));
  }
}
