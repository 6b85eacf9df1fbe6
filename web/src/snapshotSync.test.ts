import { describe, expect, it } from 'vitest';
import { applyToQueue } from './conversations';
import { sessionFixture } from './sessionFixture';
import { SnapshotSync } from './snapshotSync';
import type { Session } from './types';

/** A call ringing for Eva. */
function session(id: string, patch: Partial<Session> = {}): Session {
  return sessionFixture(id, {
    channel: 'phone',
    source: 'phone',
    status: 'offered',
    offered_to: 'eva',
    client: { name: null, email: null, phone: '+420777123456' },
    ...patch,
  });
}

/** The queue as the workspace shows it after a snapshot lands (null: dropped). */
function landQueue(sync: SnapshotSync<Session>, ticket: ReturnType<SnapshotSync<Session>['begin']>, snapshot: Session[]) {
  const facts = sync.land(ticket);
  if (facts === null) return null;
  return facts.reduce((queue, s) => applyToQueue(queue, s, 'eva'), snapshot).map((s) => s.id);
}

describe('SnapshotSync', () => {
  it('shows a snapshot as it came when nothing happened meanwhile', () => {
    const sync = new SnapshotSync<Session>();
    const ticket = sync.begin();
    expect(landQueue(sync, ticket, [session('a'), session('b')])).toEqual(['a', 'b']);
  });

  it('applies over a snapshot what came while it travelled (a call rung, answered and hung up)', () => {
    const sync = new SnapshotSync<Session>();
    const ticket = sync.begin();
    // The server read the queue while the call was ringing; the answer and the hang-up came first.
    sync.noteFact(session('call', { status: 'active', operator_id: 'eva', offered_to: null }));
    sync.noteFact(session('call', { status: 'ended', operator_id: 'eva', offered_to: null }));
    expect(landQueue(sync, ticket, [session('call'), session('other')])).toEqual(['other']);
  });

  it('keeps a session that came while the snapshot travelled and is not in it', () => {
    const sync = new SnapshotSync<Session>();
    const ticket = sync.begin();
    sync.noteFact(session('new', { status: 'waiting', offered_to: null }));
    expect(landQueue(sync, ticket, [])).toEqual(['new']);
  });

  it('does not apply facts that came before the snapshot was asked for', () => {
    const sync = new SnapshotSync<Session>();
    sync.noteFact(session('back', { status: 'ended', offered_to: null }));
    const ticket = sync.begin();
    expect(landQueue(sync, ticket, [session('back', { status: 'waiting', offered_to: null })])).toEqual(['back']);
  });

  it('drops an older snapshot that lands after a newer one', () => {
    const sync = new SnapshotSync<Session>();
    const older = sync.begin();
    const newer = sync.begin();
    expect(landQueue(sync, newer, [])).toEqual([]);
    expect(landQueue(sync, older, [session('stale')])).toBeNull();
  });

  it('applies a fact to every snapshot that was on its way when it came', () => {
    const sync = new SnapshotSync<Session>();
    const first = sync.begin();
    const second = sync.begin();
    sync.noteFact(session('call', { status: 'ended', offered_to: null }));
    expect(landQueue(sync, first, [session('call')])).toEqual([]);
    expect(landQueue(sync, second, [session('call')])).toEqual([]);
  });

  it('forgets the facts once no snapshot is on its way, and after a failed one', () => {
    const sync = new SnapshotSync<Session>();
    sync.begin();
    sync.noteFact(session('call', { status: 'ended', offered_to: null }));
    sync.fail();
    const ticket = sync.begin();
    expect(landQueue(sync, ticket, [session('call')])).toEqual(['call']);
  });
});
