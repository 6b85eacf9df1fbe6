// What the administration screens show: the company's users (with channels and groups) and its
// groups, loaded when a screen opens and again after each change made there.

import { signal } from '@preact/signals';
import { api } from '../api/client';
import type { AdminUser, Group } from '../types';

export const adminUsers = signal<AdminUser[]>([]);
export const adminGroups = signal<Group[]>([]);

export async function loadAdminUsers(): Promise<void> {
  const page = await api.users();
  adminUsers.value = [...page.items].sort((a, b) => a.name.localeCompare(b.name, 'cs'));
}

export async function loadAdminGroups(): Promise<void> {
  const page = await api.groups();
  // The built-in group first, as the server lists it; the others by name.
  adminGroups.value = page.items;
}

/** Both lists, for a screen that shows one with names from the other. */
export async function loadAdmin(): Promise<void> {
  await Promise.all([loadAdminUsers(), loadAdminGroups()]);
}

export function clearAdmin(): void {
  adminUsers.value = [];
  adminGroups.value = [];
}
