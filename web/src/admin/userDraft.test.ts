import { describe, expect, it } from 'vitest';
import type { AdminUser } from '../types';
import { draftOf, draftProblems, newUserBody, userPatch } from './userDraft';

const jana: AdminUser = {
  id: 'usr_1',
  company_id: 'cmp_1',
  name: 'Jana',
  email: 'jana@demo.test',
  role: 'operator',
  phone_extension: '201',
  channels: [
    { channel: 'chat', enabled: false, capacity: 3 },
    { channel: 'phone', enabled: true, capacity: 1 },
  ],
  groups: ['grp_b', 'grp_a'],
};

describe('the user form', () => {
  it('makes the whole new user, with calls at their fixed capacity and no empty password or extension', () => {
    const d = draftOf(null);
    d.name = ' Pavel ';
    d.email = 'pavel@acme.test';
    d.channels.chat = { assigned: true, capacity: '4' };
    d.channels.phone = { assigned: true, capacity: '1' };
    d.groups = ['grp_a'];
    expect(draftProblems(d)).toEqual({});
    expect(newUserBody(d)).toEqual({
      name: 'Pavel',
      email: 'pavel@acme.test',
      role: 'operator',
      groups: ['grp_a'],
      channels: [{ channel: 'chat', capacity: 4 }, { channel: 'phone' }],
    });
  });

  it('names each wrong field', () => {
    const d = draftOf(null);
    d.email = 'nope';
    d.password = 'short';
    d.extension = '1';
    d.channels.email = { assigned: true, capacity: '21' };
    d.channels.chat = { assigned: false, capacity: 'x' };
    expect(draftProblems(d)).toEqual({
      name: 'users.err.name',
      email: 'users.err.email',
      password: 'users.err.password',
      extension: 'users.err.extension',
      'capacity.email': 'users.err.capacity',
    });
  });

  it('sends only what changed, so an untouched role or password logs nobody out', () => {
    const d = draftOf(jana);
    expect(userPatch(d, jana)).toBeNull();
    d.groups = ['grp_a'];
    d.extension = '';
    expect(userPatch(d, jana)).toEqual({ groups: ['grp_a'], phone_extension: null });
    const e = draftOf(jana);
    e.channels.chat.capacity = '5';
    e.channels.av.assigned = true;
    expect(userPatch(e, jana)).toEqual({
      channels: [{ channel: 'chat', capacity: 5 }, { channel: 'av' }, { channel: 'phone' }],
    });
  });
});
