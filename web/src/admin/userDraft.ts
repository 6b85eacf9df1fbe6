// The user form of the admin screens as pure data: what the form holds (a draft), how a draft is
// checked, and which request body it makes: the whole user when creating, only what changed when
// editing, so saving an unchanged field never logs the user out (a new password or role does).

import type { AdminUser, Channel, ChannelAssignment, NewUser, Role, UserPatch } from '../types';
import type { MessageKey } from '../i18n';

/** The channels in the order the form shows them. */
export const FORM_CHANNELS: readonly Channel[] = ['chat', 'email', 'av', 'phone'];

/** Calls (audio/video, phone) are one at a time: their capacity is not asked for. */
export function hasCapacity(channel: Channel): boolean {
  return channel === 'chat' || channel === 'email';
}

const DEFAULT_CAPACITY: Record<Channel, number> = { chat: 3, email: 5, av: 1, phone: 1 };
export const MAX_CAPACITY = 20;
export const MIN_PASSWORD = 8;

export interface ChannelDraft {
  assigned: boolean;
  /** As typed; checked by draftProblems(). */
  capacity: string;
}

export interface UserDraft {
  name: string;
  email: string;
  role: Role;
  /** Empty: none set (creating) or unchanged (editing). */
  password: string;
  groups: string[];
  channels: Record<Channel, ChannelDraft>;
  /** Digits; empty for none. */
  extension: string;
}

export function draftOf(user: AdminUser | null): UserDraft {
  const channels = {} as Record<Channel, ChannelDraft>;
  for (const channel of FORM_CHANNELS) {
    const setting = user?.channels.find((c) => c.channel === channel);
    channels[channel] = {
      assigned: setting !== undefined,
      capacity: String(setting?.capacity ?? DEFAULT_CAPACITY[channel]),
    };
  }
  return {
    name: user?.name ?? '',
    email: user?.email ?? '',
    role: user?.role ?? 'operator',
    password: '',
    groups: [...(user?.groups ?? [])].sort(),
    channels,
    extension: user?.phone_extension ?? '',
  };
}

/** A field of the form; a channel's capacity is `capacity.<channel>` (the e-mail channel is not the e-mail address). */
export type DraftField = 'name' | 'email' | 'password' | 'extension' | `capacity.${Channel}`;

/** What is wrong with the draft, per field (empty when it may be sent). */
export function draftProblems(draft: UserDraft): Partial<Record<DraftField, MessageKey>> {
  const out: Partial<Record<DraftField, MessageKey>> = {};
  if (draft.name.trim() === '') out.name = 'users.err.name';
  const email = draft.email.trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) out.email = 'users.err.email';
  if (draft.password !== '' && [...draft.password].length < MIN_PASSWORD) out.password = 'users.err.password';
  if (draft.extension.trim() !== '' && !/^\d{2,20}$/.test(draft.extension.trim())) out.extension = 'users.err.extension';
  for (const channel of FORM_CHANNELS) {
    const c = draft.channels[channel];
    if (!c.assigned || !hasCapacity(channel)) continue;
    const n = Number(c.capacity);
    if (!Number.isInteger(n) || n < 1 || n > MAX_CAPACITY) out[`capacity.${channel}`] = 'users.err.capacity';
  }
  return out;
}

function assignments(draft: UserDraft): ChannelAssignment[] {
  return FORM_CHANNELS.filter((c) => draft.channels[c].assigned).map((channel) =>
    hasCapacity(channel) ? { channel, capacity: Number(draft.channels[channel].capacity) } : { channel },
  );
}

export function newUserBody(draft: UserDraft): NewUser {
  const extension = draft.extension.trim();
  return {
    name: draft.name.trim(),
    email: draft.email.trim(),
    role: draft.role,
    groups: draft.groups,
    channels: assignments(draft),
    ...(draft.password !== '' ? { password: draft.password } : {}),
    ...(extension !== '' ? { phone_extension: extension } : {}),
  };
}

function sameAssignment(a: ChannelAssignment[], before: AdminUser): boolean {
  if (a.length !== before.channels.length) return false;
  return a.every((x) => {
    const old = before.channels.find((c) => c.channel === x.channel);
    return old !== undefined && (x.capacity === undefined || x.capacity === old.capacity);
  });
}

/** Only what the admin changed; null when nothing did. */
export function userPatch(draft: UserDraft, before: AdminUser): UserPatch | null {
  const patch: UserPatch = {};
  const name = draft.name.trim();
  const email = draft.email.trim().toLowerCase();
  if (name !== before.name) patch.name = name;
  if (email !== before.email) patch.email = email;
  if (draft.role !== before.role) patch.role = draft.role;
  if (draft.password !== '') patch.password = draft.password;
  const groups = [...draft.groups].sort();
  const oldGroups = [...before.groups].sort();
  if (groups.join(',') !== oldGroups.join(',')) patch.groups = groups;
  const channels = assignments(draft);
  if (!sameAssignment(channels, before)) patch.channels = channels;
  const extension = draft.extension.trim();
  if (extension !== (before.phone_extension ?? '')) patch.phone_extension = extension === '' ? null : extension;
  return Object.keys(patch).length > 0 ? patch : null;
}

/** The message for an error code the users endpoints answer with, when there is a better one than the server's. */
export function userErrorKey(code: string): MessageKey | null {
  switch (code) {
    case 'email_taken':
      return 'users.err.emailTaken';
    case 'extension_taken':
      return 'users.err.extensionTaken';
    case 'weak_password':
      return 'users.err.password';
    case 'invalid_email':
      return 'users.err.email';
    case 'invalid_extension':
      return 'users.err.extension';
    case 'unknown_group':
      return 'users.err.unknownGroup';
    case 'cannot_deactivate_self':
      return 'users.err.self';
    default:
      return null;
  }
}
