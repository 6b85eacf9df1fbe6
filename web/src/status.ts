// What the operator's status looks like and what the Profile menu offers: pure functions of the
// state, the pause types and the language.

import { translate, type Lang } from './i18n';
import type { OperatorState, PauseType, PauseTypeRef, Presence } from './types';

export type Tone = 'online' | 'away' | 'break' | 'offline';

export function toneOf(presence: Presence): Tone {
  switch (presence) {
    case 'online':
      return 'online';
    case 'away':
      return 'away';
    case 'break':
      return 'break';
    case 'offline':
    case 'disconnected':
      return 'offline';
  }
}

/** The label shown next to a person: Online / Away / the pause type's name / Disconnected / Offline. */
export function statusLabel(state: Pick<OperatorState, 'presence' | 'status' | 'pause_type'>, lang: Lang): string {
  switch (state.presence) {
    case 'offline':
      return translate(lang, 'status.offline');
    case 'disconnected':
      return translate(lang, 'status.disconnected');
    case 'online':
      return translate(lang, 'status.online');
    case 'away':
      return translate(lang, 'status.away');
    case 'break':
      return state.pause_type ? state.pause_type.name : translate(lang, 'status.break');
  }
}

/** "Lunch · unpaid". */
export function pauseLabel(pause: PauseTypeRef, lang: Lang): string {
  return `${pause.name} · ${translate(lang, pause.paid ? 'pause.paid' : 'pause.unpaid')}`;
}

export interface StatusChoice {
  /** Stable key: "online", "away" or "pause:<id>". */
  key: string;
  label: string;
  tone: Tone;
  checked: boolean;
  request: { status: 'online' | 'away'; pause_type_id: string | null };
}

/**
 * The status part of the Profile menu: Online, Away (no reason), then every non-archived pause type.
 * The checked item follows the chosen status (not the presence), so a disconnected operator still
 * sees what they chose.
 */
export function statusChoices(
  state: Pick<OperatorState, 'status' | 'pause_type'> | null,
  pauseTypes: readonly PauseType[],
  lang: Lang,
): StatusChoice[] {
  const chosenPause = state?.status === 'away' ? (state.pause_type?.id ?? null) : null;
  const choices: StatusChoice[] = [
    {
      key: 'online',
      label: translate(lang, 'status.online'),
      tone: 'online',
      checked: state?.status === 'online',
      request: { status: 'online', pause_type_id: null },
    },
    {
      key: 'away',
      label: translate(lang, 'status.away'),
      tone: 'away',
      checked: state?.status === 'away' && chosenPause === null,
      request: { status: 'away', pause_type_id: null },
    },
  ];
  for (const pause of pauseTypes) {
    if (pause.archived) continue;
    choices.push({
      key: `pause:${pause.id}`,
      label: pauseLabel(pause, lang),
      tone: 'break',
      checked: chosenPause === pause.id,
      request: { status: 'away', pause_type_id: pause.id },
    });
  }
  return choices;
}

export interface TeamCounts {
  online: number;
  away: number;
  offline: number;
}

/**
 * The team's summary line counts those who serve clients: members with at least one assigned
 * channel (an admin or a supervisor without channels is not "online" for anyone).
 */
export function teamCounts(
  members: readonly { state: Pick<OperatorState, 'presence'>; channels?: readonly unknown[] | null }[],
): TeamCounts {
  const counts: TeamCounts = { online: 0, away: 0, offline: 0 };
  for (const { state, channels } of members) {
    if (!channels || channels.length === 0) continue;
    const tone = toneOf(state.presence);
    if (tone === 'online') counts.online += 1;
    else if (tone === 'offline') counts.offline += 1;
    else counts.away += 1;
  }
  return counts;
}
