// Which of the operator's workspace tabs (in this browser) raises the alerts: exactly one, the one
// most recently in front. With Web Locks a tab holds the lock "hovor-alerts:<user>" until it closes,
// and a tab that gains focus steals it; without Web Locks (plain-HTTP deployments), a lease with
// heartbeats in localStorage does the same. Every tab also records alerted event keys in a shared
// ledger, so a handover at the wrong moment still never alerts twice.

import { claimKey, parseLease, parseLedger, shouldTakeLease, type Lease } from './alerts';

const TAB_ID = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
const HEARTBEAT_MS = 4_000;

interface LockManagerLike {
  request(name: string, options: { steal?: boolean; signal?: AbortSignal }, cb: () => Promise<void>): Promise<void>;
}

function lockManager(): LockManagerLike | null {
  const locks = (navigator as Navigator & { locks?: LockManagerLike }).locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class TabLeader {
  private leader = false;
  private userId: string | null = null;
  private release: (() => void) | null = null;
  private abort: AbortController | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private generation = 0;

  get isLeader(): boolean {
    if (this.userId && !lockManager()) this.leaseTick(false);
    return this.leader;
  }

  get tabId(): string {
    return TAB_ID;
  }

  start(userId: string): void {
    if (this.userId === userId) return;
    this.stop();
    this.userId = userId;
    window.addEventListener('focus', this.onFocus);
    if (lockManager()) {
      this.requestLock(document.hasFocus());
    } else {
      this.leaseTick(document.hasFocus());
      this.heartbeat = setInterval(() => this.leaseTick(false), HEARTBEAT_MS);
      window.addEventListener('pagehide', this.onPageHide);
    }
  }

  stop(): void {
    window.removeEventListener('focus', this.onFocus);
    window.removeEventListener('pagehide', this.onPageHide);
    this.generation += 1;
    this.abort?.abort();
    this.abort = null;
    this.release?.();
    this.release = null;
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
    if (this.leader && !lockManager()) this.dropLease();
    this.leader = false;
    this.userId = null;
  }

  /** Claims an event key in the shared ledger; false when any tab already alerted for it. */
  claim(key: string): boolean {
    const store = storage();
    const name = `hovor.alerts.ledger.${this.userId ?? ''}`;
    if (!store) return true;
    const result = claimKey(parseLedger(store.getItem(name)), key, Date.now());
    if (result.claimed) {
      try {
        store.setItem(name, JSON.stringify(result.ledger));
      } catch {
        // Storage full or blocked: this tab alerts anyway.
      }
    }
    return result.claimed;
  }

  /** Whether a key is already in the ledger (without claiming it). */
  seen(key: string): boolean {
    const store = storage();
    if (!store) return false;
    return key in parseLedger(store.getItem(`hovor.alerts.ledger.${this.userId ?? ''}`));
  }

  private readonly onFocus = (): void => {
    if (!this.userId) return;
    if (lockManager()) {
      if (!this.leader) this.requestLock(true);
    } else {
      this.leaseTick(true);
    }
  };

  private readonly onPageHide = (): void => {
    if (this.leader) this.dropLease();
  };

  // ---- Web Locks ----

  private requestLock(steal: boolean): void {
    const locks = lockManager();
    const userId = this.userId;
    if (!locks || !userId) return;
    const gen = ++this.generation;
    this.abort?.abort();
    this.release?.();
    this.release = null;
    const abort = steal ? null : new AbortController();
    this.abort = abort;
    const options = steal ? { steal: true } : { signal: abort!.signal };
    locks
      .request(`hovor-alerts:${userId}`, options, () => {
        if (gen !== this.generation) return Promise.resolve();
        this.leader = true;
        return new Promise<void>((resolve) => {
          this.release = () => {
            this.leader = false;
            resolve();
          };
        });
      })
      .then(
        () => {
          if (gen === this.generation) this.leader = false;
        },
        () => {
          // Stolen by a tab that came to the front (or aborted): queue up again for when it closes.
          if (gen !== this.generation) return;
          this.leader = false;
          this.release = null;
          if (this.userId) this.requestLock(false);
        },
      );
  }

  // ---- localStorage lease (fallback) ----

  private leaseKey(): string {
    return `hovor.alerts.leader.${this.userId ?? ''}`;
  }

  private leaseTick(focused: boolean): void {
    const store = storage();
    if (!store || !this.userId) {
      this.leader = true;
      return;
    }
    const now = Date.now();
    const lease = parseLease(store.getItem(this.leaseKey()));
    if (shouldTakeLease(lease, TAB_ID, now, focused)) {
      const mine: Lease = { tab: TAB_ID, at: now };
      try {
        store.setItem(this.leaseKey(), JSON.stringify(mine));
      } catch {
        // ignore
      }
      this.leader = parseLease(store.getItem(this.leaseKey()))?.tab === TAB_ID;
    } else {
      this.leader = false;
    }
  }

  private dropLease(): void {
    const store = storage();
    if (!store) return;
    if (parseLease(store.getItem(this.leaseKey()))?.tab === TAB_ID) store.removeItem(this.leaseKey());
  }
}
