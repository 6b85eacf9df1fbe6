// The supervisor's wallboard: the board (load, offers, today's counts, each group's queue) and the
// open sessions, read while the wallboard is shown: at once, again soon after anything that changes
// them (the queue, an operator's state or channels, a session), and every 10 s as a safety net for
// what no event announces (an active session ended elsewhere, today's counts at midnight).

import { signal } from '@preact/signals';
import { api } from '../api/client';
import type { Group, Session, Wallboard } from '../types';
import { localDayStart } from '../wallboard';
import type { LiveListener } from './live';

export const board = signal<Wallboard | null>(null);
export const boardGroups = signal<Group[]>([]);
/** Waiting, offered and active sessions, oldest first. */
export const boardSessions = signal<Session[]>([]);
export const boardError = signal<string | null>(null);

const SAFETY_NET_MS = 10_000;
const SETTLE_MS = 300;

let watchers = 0;
let interval: ReturnType<typeof setInterval> | null = null;
let pending: ReturnType<typeof setTimeout> | null = null;
let loading = false;
let again = false;

export async function loadBoard(): Promise<void> {
  if (loading) {
    again = true;
    return;
  }
  loading = true;
  try {
    const [b, groups, waiting, offered, active] = await Promise.all([
      api.wallboard(localDayStart(new Date())),
      api.groups(),
      api.openSessions('waiting'),
      api.openSessions('offered'),
      api.openSessions('active'),
    ]);
    board.value = b;
    boardGroups.value = groups.items;
    boardSessions.value = [...waiting.items, ...offered.items, ...active.items].sort((a, b) => a.created_at.localeCompare(b.created_at));
    boardError.value = null;
  } catch (err) {
    boardError.value = err instanceof Error ? err.message : String(err);
  } finally {
    loading = false;
  }
  if (again) {
    again = false;
    void loadBoard();
  }
}

function scheduleBoardLoad(): void {
  if (watchers === 0 || pending !== null) return;
  pending = setTimeout(() => {
    pending = null;
    void loadBoard();
  }, SETTLE_MS);
}

/** While a wallboard is shown: returns the function that stops watching. */
export function watchWallboard(): () => void {
  watchers += 1;
  if (watchers === 1) {
    void loadBoard();
    interval = setInterval(() => void loadBoard(), SAFETY_NET_MS);
  }
  return () => {
    watchers -= 1;
    if (watchers > 0) return;
    if (interval !== null) clearInterval(interval);
    if (pending !== null) clearTimeout(pending);
    interval = null;
    pending = null;
  };
}

export const wallboardListener: LiveListener = {
  onQueueChanged: scheduleBoardLoad,
  onEvent(event) {
    switch (event.event) {
      case 'operator.state_changed':
      case 'operator.channel_changed':
      case 'operator.phone_line_changed':
      case 'session.changed':
      case 'session.offered':
        scheduleBoardLoad();
        break;
      default:
        break;
    }
  },
  onFresh: scheduleBoardLoad,
  onSignedOut() {
    board.value = null;
    boardGroups.value = [];
    boardSessions.value = [];
    boardError.value = null;
  },
};
