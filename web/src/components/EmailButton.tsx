// The header's envelope, for operators with the e-mail channel: how many e-mail threads wait for
// them (in their queue, or unread in their own conversations); a click opens the first unread one,
// or shows the queue.

import { emailWaiting } from '../conversations';
import { myChannels } from '../state/channels';
import { conversations, queueItems, select } from '../state/conversations';
import { t } from '../state/lang';
import { myId } from '../state/me';
import { navigate, route } from '../state/route';

export function EmailButton() {
  if (!myChannels.value.some((c) => c.channel === 'email')) return null;
  const { count, openFirst } = emailWaiting(queueItems.value, conversations.value, myId());
  const label = t('email.button', { count });
  return (
    <button
      type="button"
      class={`envelope${count > 0 ? ' has-mail' : ''}`}
      aria-label={label}
      title={label}
      onClick={() => {
        if (route.value !== '/') navigate('/');
        if (openFirst) select(openFirst);
        else document.getElementById('queue')?.scrollIntoView({ block: 'nearest' });
      }}
    >
      <svg viewBox="0 0 24 24" width="20" height="20" aria-hidden="true">
        <rect x="3" y="5" width="18" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="2" />
        <path d="M4 7l8 6 8-6" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round" />
      </svg>
      {count > 0 && (
        <span class="envelope-count" aria-hidden="true">
          {count}
        </span>
      )}
    </button>
  );
}
