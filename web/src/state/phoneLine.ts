// My phone line (the handset in the header) and the team's, from /me and operator.phone_line_changed.

import { computed } from '@preact/signals';
import type { PhoneLineChanged } from '../realtime';
import { me } from './me';
import { patchTeamMember } from './team';

/** My phone line; null without the phone channel (then no handset is shown). */
export const myPhoneLine = computed(() => me.value?.phone_line ?? null);

export function applyPhoneLineChanged(data: PhoneLineChanged): void {
  const current = me.value;
  if (current && data.operator_id === current.user.id) me.value = { ...current, phone_line: data.phone_line };
  patchTeamMember(data.operator_id, { phone_line: data.phone_line });
}
