// Who is signed in: the /me snapshot (user, own state, channels, phone line, alert settings) as the
// session module keeps it current, and what the role allows.

import { computed, signal } from '@preact/signals';
import type { Me } from '../types';

export const me = signal<Me | null>(null);

/** Bumped whenever my own state changes (the profile page reloads its numbers). */
export const myStateVersion = signal(0);

export const isSupervisor = computed(() => {
  const role = me.value?.user.role;
  return role === 'supervisor' || role === 'admin';
});
export const isAdmin = computed(() => me.value?.user.role === 'admin');

/** My id, or '' when signed out. */
export function myId(): string {
  return me.value?.user.id ?? '';
}
