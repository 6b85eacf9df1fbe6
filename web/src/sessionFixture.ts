// For unit tests: a session as the API gives it, waiting in the built-in group, with what a test
// changes given as `patch`.

import type { Session } from './types';

export function sessionFixture(id: string, patch: Partial<Session> = {}): Session {
  return {
    id,
    channel: 'chat',
    source: 'widget',
    status: 'waiting',
    group_id: 'g-all',
    operator_id: null,
    offered_to: null,
    offer_expires_at: null,
    client: { name: null, email: null, phone: null },
    page_url: null,
    created_at: '2025-05-17T10:00:00Z',
    accepted_at: null,
    ended_at: null,
    end_reason: null,
    ...patch,
  };
}
