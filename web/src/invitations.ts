// Invitations (pure): their state, the code in groups, and the order of "My invitations".

import type { Invitation } from './types';

export type InvitationState = 'pending' | 'used' | 'invalidated';

export function invitationState(inv: Invitation): InvitationState {
  if (inv.invalidated_at !== null) return 'invalidated';
  if (!inv.reusable && inv.uses > 0) return 'used';
  return 'pending';
}

/** The code in groups to read out: the server's dashes, or groups of five. */
export function codeGroups(code: string): string[] {
  const parts = code.split(/[\s-]+/).filter((p) => p.length > 0);
  if (parts.length > 1) return parts;
  const compact = parts[0] ?? '';
  const out: string[] = [];
  for (let i = 0; i < compact.length; i += 5) out.push(compact.slice(i, i + 5));
  return out;
}

/** Pending first, then used, then invalidated; the newest first within each. */
export function sortInvitations(list: readonly Invitation[]): Invitation[] {
  const rank: Record<InvitationState, number> = { pending: 0, used: 1, invalidated: 2 };
  return [...list].sort(
    (a, b) => rank[invitationState(a)] - rank[invitationState(b)] || Date.parse(b.created_at) - Date.parse(a.created_at),
  );
}

/** Replaces (or adds) one invitation in a list. */
export function withInvitation(list: readonly Invitation[], inv: Invitation): Invitation[] {
  return list.some((x) => x.id === inv.id) ? list.map((x) => (x.id === inv.id ? inv : x)) : [inv, ...list];
}
