// The operators' states: mine (and changing it), the team list that supervisors and admins follow
// live, and the company's pause types.

import { signal } from '@preact/signals';
import { api } from '../api/client';
import type { OperatorStateChanged } from '../realtime';
import type { OperatorState, PauseType, TeamMember } from '../types';
import { isSupervisor, me, myStateVersion } from './me';

/** Everyone in the company, for supervisors and admins (empty for operators). */
export const team = signal<TeamMember[]>([]);
export const pauseTypes = signal<PauseType[]>([]);

/** Loads of the team on their way, and the team events that came meanwhile (applied after). */
let teamLoads = 0;
let heldWhileLoading: OperatorStateChanged[] = [];

export async function loadTeam(): Promise<void> {
  if (!isSupervisor.value) return;
  teamLoads += 1;
  try {
    const page = await api.operators();
    team.value = [...page.items].sort((a, b) => a.name.localeCompare(b.name, 'cs'));
  } finally {
    teamLoads -= 1;
  }
  if (teamLoads > 0) return;
  const held = heldWhileLoading;
  heldWhileLoading = [];
  for (const data of held) applyTeamState(data);
}

export async function loadPauseTypes(): Promise<void> {
  const page = await api.pauseTypes();
  // In the order the admin gave them (`position`), as the server lists them.
  pauseTypes.value = page.items;
}

export function clearTeam(): void {
  team.value = [];
  pauseTypes.value = [];
}

/** Changes one operator in the team list, when they are in it. */
export function patchTeamMember(operatorId: string, patch: Partial<TeamMember>): void {
  if (team.value.some((m) => m.id === operatorId)) {
    team.value = team.value.map((m) => (m.id === operatorId ? { ...m, ...patch } : m));
  }
}

export function applyStateChanged(data: OperatorStateChanged): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) {
    me.value = { ...current, state: data.state };
    myStateVersion.value += 1;
  }
  if (!isSupervisor.value) return;
  // A load on its way may or may not include this change: apply it after the answer.
  if (teamLoads > 0) heldWhileLoading.push(data);
  else applyTeamState(data);
}

/** One operator's new state in the team list; someone not in it yet means the team changed. */
function applyTeamState(data: OperatorStateChanged): void {
  const list = team.value;
  const member = list.find((m) => m.id === data.operator_id);
  if (!member) {
    void loadTeam();
    return;
  }
  if (!newer(data.state, member.state)) return;
  team.value = list.map((m) => (m.id === data.operator_id ? { ...m, state: data.state } : m));
}

function newer(a: OperatorState, b: OperatorState): boolean {
  // true when a is at least as recent as b
  const ta = Date.parse(a.since);
  const tb = Date.parse(b.since);
  return Number.isNaN(ta) || Number.isNaN(tb) || ta >= tb;
}

function applyOwnState(state: OperatorState): void {
  const current = me.value;
  if (!current || state.operator_id !== current.user.id) return;
  if (!newer(state, current.state)) return;
  applyStateChanged({ operator_id: current.user.id, name: current.user.name, state });
}

export async function changeMyStatus(status: 'online' | 'away', pauseTypeId: string | null): Promise<void> {
  const current = me.value;
  if (!current) return;
  const state = await api.setState(current.user.id, status, pauseTypeId);
  applyOwnState(state);
}
