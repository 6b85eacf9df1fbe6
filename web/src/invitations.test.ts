import { describe, expect, it } from 'vitest';
import { codeGroups, invitationState, sortInvitations, withInvitation } from './invitations';
import type { Invitation } from './types';

const base: Invitation = {
  id: 'inv_1',
  code: '7QK2M-ABCDE-FGHJK',
  url: 'http://x/i/7QK2M-ABCDE-FGHJK',
  operator_id: 'usr_1',
  operator_name: 'Jana',
  reusable: false,
  label: null,
  created_at: '2026-01-01T10:00:00Z',
  created_by: 'operator',
  uses: 0,
  invalidated_at: null,
};

describe('invitations', () => {
  it('knows pending, used and invalidated', () => {
    expect(invitationState(base)).toBe('pending');
    expect(invitationState({ ...base, uses: 1 })).toBe('used');
    expect(invitationState({ ...base, reusable: true, uses: 5 })).toBe('pending');
    expect(invitationState({ ...base, uses: 1, invalidated_at: '2026-01-01T11:00:00Z' })).toBe('invalidated');
  });
  it('groups the code', () => {
    expect(codeGroups('7QK2M-ABCDE-FGHJK')).toEqual(['7QK2M', 'ABCDE', 'FGHJK']);
    expect(codeGroups('ABCDEFGHIJKL')).toEqual(['ABCDE', 'FGHIJ', 'KL']);
  });
  it('orders pending first, newest first', () => {
    const a = { ...base, id: 'a', created_at: '2026-01-01T09:00:00Z' };
    const b = { ...base, id: 'b', created_at: '2026-01-01T10:00:00Z' };
    const c = { ...base, id: 'c', uses: 1, created_at: '2026-01-01T12:00:00Z' };
    expect(sortInvitations([c, a, b]).map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(withInvitation([a], { ...a, uses: 1 })[0]!.uses).toBe(1);
    expect(withInvitation([a], b).map((x) => x.id)).toEqual(['b', 'a']);
  });
});
