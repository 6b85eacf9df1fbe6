// My after-chat work, from /me and operator.after_chat_changed; "Ready" ends it.

import { computed } from '@preact/signals';
import { api } from '../api/client';
import type { AfterChatChanged } from '../realtime';
import { me } from './me';

export const myAfterChat = computed(() => me.value?.after_chat ?? []);

export function applyAfterChatChanged(data: AfterChatChanged): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) me.value = { ...current, after_chat: data.after_chat };
}

/** I am ready: my after-chat work ends now (my other tabs hear it from the event). */
export async function readyAfterChat(): Promise<void> {
  await api.afterChatReady();
  const current = me.value;
  if (current) me.value = { ...current, after_chat: [] };
}
