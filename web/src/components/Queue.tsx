import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { formatSince } from '../format';
import { earlierSessions } from '../phone';
import { CHANNEL_LABEL } from '../channels';
import { formatWait, secondsSince, secondsUntil, shortPage, unreadCount } from '../conversations';
import { accept, conversations, decline, now, orderedQueue, select, selectedId } from '../state/conversations';
import { highlightedQueueId } from '../state/alerts';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import type { Session } from '../types';
import { ChannelIcon } from './Channels';

export function clientName(session: Session): string {
  const name = session.client.name?.trim();
  if (name) return name;
  const phone = session.client.phone?.trim();
  return phone ? phone : t('queue.anonymous');
}

/** A ringing number's earlier sessions: how many, and when the last one was. */
function PhoneHistory({ session }: { session: Session }) {
  const phone = session.client.phone;
  const [found, setFound] = useState<{ count: number; last: string | null } | null>(null);
  useEffect(() => {
    if (!phone) return undefined;
    let cancelled = false;
    api
      .sessionsByPhone(phone)
      .then((page) => {
        if (!cancelled) setFound(earlierSessions(page.items, session.id));
      })
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [phone, session.id]);
  if (!phone || found === null) return null;
  return (
    <div class="queue-phone-history small muted">
      {found.count === 0 || found.last === null
        ? t('phone.earlierNone')
        : t('phone.earlier', { count: found.count, date: formatSince(found.last, lang.value) })}
    </div>
  );
}

/** The left column: the queue, then my conversations. */
export function LeftColumn() {
  return (
    <aside class="ws-left">
      <QueuePanel />
      <MyConversations />
    </aside>
  );
}

function QueuePanel() {
  const items = orderedQueue.value;
  const [error, setError] = useState<string | null>(null);
  const myId = me.value?.user.id ?? '';
  const tick = now.value;
  const highlighted = highlightedQueueId.value;
  const [declining, setDeclining] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const onAccept = async (id: string) => {
    setError(null);
    const problem = await accept(id);
    if (problem === null) return;
    setError(typeof problem === 'string' ? t(problem) : t('queue.acceptFailed', { message: problem.message }));
  };
  const onDecline = async (ev: Event, id: string) => {
    ev.preventDefault();
    setError(null);
    const problem = await decline(id, reason);
    setDeclining(null);
    setReason('');
    if (problem === null) return;
    setError(typeof problem === 'string' ? t(problem) : t('queue.declineFailed', { message: problem.message }));
  };
  return (
    <section id="queue" class="card side-card" aria-label={t('queue.title')}>
      <h2 class="side-title">
        {t('queue.title')}
        {items.length > 0 && <span class="count-badge" aria-hidden="true">{items.length}</span>}
      </h2>
      {error && (
        <div class="alert alert-error small" role="alert">
          {error}
        </div>
      )}
      {items.length === 0 ? (
        <p class="muted small side-empty">{t('queue.empty')}</p>
      ) : (
        <ul class="queue-list">
          {items.map((s) => {
            const offered = s.status === 'offered' && s.offered_to === myId;
            const page = shortPage(s.page_url);
            return (
              <li
                key={s.id}
                data-queue-id={s.id}
                class={`queue-item${offered ? ' is-offer' : ''}${s.id === highlighted ? ' is-highlighted' : ''}`}
                aria-current={s.id === highlighted ? 'true' : undefined}
              >
                <div class="queue-top">
                  <ChannelIcon channel={s.channel} />
                  <span class="queue-name">{clientName(s)}</span>
                  <span class="visually-hidden">{t(CHANNEL_LABEL[s.channel])}</span>
                  <span class="queue-wait muted small" title={t('queue.waiting', { time: formatWait(secondsSince(s.created_at, tick)) })}>
                    {formatWait(secondsSince(s.created_at, tick))}
                  </span>
                </div>
                {s.source === 'invitation' && <div class="queue-page small muted">{t('queue.invitation')}</div>}
                {page && (
                  <div class="queue-page small muted" title={s.page_url ?? ''}>
                    {t('queue.from', { page })}
                  </div>
                )}
                {s.channel === 'phone' ? (
                  <>
                    <PhoneHistory session={s} />
                    {offered && (
                      <div class="offer-line small" role="status">
                        {t('phone.ringing')}
                      </div>
                    )}
                  </>
                ) : (
                  <>
                    {offered && (
                      <div class="offer-line small" role="status">
                        {t('queue.offer', { seconds: secondsUntil(s.offer_expires_at, tick) })}
                      </div>
                    )}
                    {offered && declining === s.id ? (
                      <form class="decline-form" onSubmit={(ev) => void onDecline(ev, s.id)}>
                        <label class="field small">
                          <span class="field-label">{t('queue.declineReason')}</span>
                          <input
                            type="text"
                            maxLength={200}
                            value={reason}
                            onInput={(ev) => setReason(ev.currentTarget.value)}
                          />
                        </label>
                        <div class="queue-actions">
                          <button type="submit" class="btn btn-small btn-danger">
                            {t('queue.declineConfirm')}
                          </button>
                          <button type="button" class="btn btn-small" onClick={() => setDeclining(null)}>
                            {t('queue.declineCancel')}
                          </button>
                        </div>
                      </form>
                    ) : (
                      <div class="queue-actions">
                        <button type="button" class={`btn btn-small ${offered ? 'btn-primary' : ''} queue-accept`} onClick={() => void onAccept(s.id)}>
                          {t('queue.accept')}
                        </button>
                        {offered && (
                          <button
                            type="button"
                            class="btn btn-small queue-decline"
                            onClick={() => {
                              setReason('');
                              setDeclining(s.id);
                            }}
                          >
                            {t('queue.decline')}
                          </button>
                        )}
                      </div>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

function MyConversations() {
  const list = conversations.value;
  const current = selectedId.value;
  return (
    <section class="card side-card" aria-labelledby="conv-title">
      <h2 id="conv-title" class="side-title">
        {t('conv.title')}
      </h2>
      {list.length === 0 ? (
        <p class="muted small side-empty">{t('conv.empty')}</p>
      ) : (
        <ul class="conv-list">
          {list.map((c) => {
            const unread = unreadCount(c);
            const ended = c.session.status === 'ended';
            return (
              <li key={c.session.id}>
                <button
                  type="button"
                  class={`conv-item${c.session.id === current ? ' is-selected' : ''}${ended ? ' is-ended' : ''}`}
                  aria-current={c.session.id === current ? 'true' : undefined}
                  onClick={() => select(c.session.id)}
                >
                  <ChannelIcon channel={c.session.channel} />
                  <span class="conv-name">{clientName(c.session)}</span>
                  {ended && <span class="tag">{t('conv.ended')}</span>}
                  {unread > 0 && (
                    <span class="unread-badge">
                      <span aria-hidden="true">{unread}</span>
                      <span class="visually-hidden">{t('conv.unread', { count: unread })}</span>
                    </span>
                  )}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
