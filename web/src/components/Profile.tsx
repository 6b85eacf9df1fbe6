import { CannedAnswers } from './CannedAnswers';
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { formatDuration, formatTime, initials, startOfLocalDay } from '../format';
import type { MessageKey } from '../i18n';
import { timeLines, workdayStart } from '../profileModel';
import { statusLabel, toneOf } from '../status';
import { lang, t } from '../state/lang';
import { me, myStateVersion } from '../state/me';
import { navigate } from '../state/route';
import { pauseTypes } from '../state/team';
import type { Cause, HistoryItem, Role, StateSummary } from '../types';
import { StatusDot } from './StatusDot';

const ROLE_KEY: Record<Role, MessageKey> = { admin: 'role.admin', supervisor: 'role.supervisor', operator: 'role.operator' };
const CAUSE_KEY: Record<Cause, MessageKey> = {
  manual: 'cause.manual',
  login: 'cause.login',
  logout: 'cause.logout',
  disconnect: 'cause.disconnect',
  reconnect: 'cause.reconnect',
  missed_offer: 'cause.missed_offer',
  supervisor: 'cause.supervisor',
  api: 'cause.api',
};

interface Loaded {
  /** Null when not logged in today. */
  summary: StateSummary | null;
  history: HistoryItem[];
}

export function Profile() {
  const current = me.value;
  const version = myStateVersion.value;
  const [data, setData] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const userId = current?.user.id ?? null;

  useEffect(() => {
    // Time keeps running: refresh the numbers every minute too.
    const timer = setInterval(() => setTick((n) => n + 1), 60_000);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (!userId) return undefined;
    let cancelled = false;
    const now = new Date();
    const midnight = startOfLocalDay(now);
    // Today's time counts from the first login of the day, not from midnight.
    api
      .stateHistory(userId, midnight, now)
      .then(async (history) => {
        const start = workdayStart(history.items, midnight);
        const summary = start ? await api.stateSummary(userId, start, now) : null;
        if (cancelled) return;
        setData({ summary, history: history.items });
        setError(null);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err));
      });
    return () => {
      cancelled = true;
    };
  }, [userId, version, tick]);

  if (!current) return null;
  const l = lang.value;
  const tone = toneOf(current.state.presence);
  return (
    <main class="page profile-page">
      <a
        class="back"
        href="/"
        onClick={(ev) => {
          ev.preventDefault();
          navigate('/');
        }}
      >
        ← {t('profile.back')}
      </a>
      <section class="card profile-card" aria-labelledby="profile-title">
        <div class="profile-hero">
          <span class="avatar avatar-lg" aria-hidden="true">
            {initials(current.user.name)}
          </span>
          <div>
            <h1 id="profile-title" class="panel-title">
              {t('profile.title')}
            </h1>
            <p class="muted">{current.user.name}</p>
          </div>
          <span class={`pill pill-${tone} hero-pill`}>
            <StatusDot tone={tone} size="sm" />
            {statusLabel(current.state, l)}
          </span>
        </div>
        <dl class="facts">
          <div>
            <dt>{t('profile.name')}</dt>
            <dd>{current.user.name}</dd>
          </div>
          <div>
            <dt>{t('profile.email')}</dt>
            <dd>{current.user.email}</dd>
          </div>
          <div>
            <dt>{t('profile.role')}</dt>
            <dd>{t(ROLE_KEY[current.user.role])}</dd>
          </div>
        </dl>
      </section>

      <div class="profile-grid">
        <section class="card" aria-labelledby="today-title">
          <h2 id="today-title" class="section-title">
            {t('profile.today')}
          </h2>
          {error && (
            <div class="alert alert-error" role="alert">
              {t('common.error', { message: error })}
            </div>
          )}
          {!data && !error && <p class="muted">{t('common.loading')}</p>}
          {data && data.summary === null && <p class="muted">{t('profile.notLoggedInToday')}</p>}
          {data?.summary && <TimeList summary={data.summary} />}
        </section>

        <section class="card" aria-labelledby="history-title">
          <h2 id="history-title" class="section-title">
            {t('profile.history')}
          </h2>
          {data && data.history.length === 0 && <p class="muted">{t('profile.noHistory')}</p>}
          {data && data.history.length > 0 && (
            <ol class="history" aria-labelledby="history-title">
              {data.history.map((item, i) => {
                const itemTone = toneOf(item.presence);
                return (
                  <li key={`${item.started_at}-${i}`} class="history-item">
                    <span class="history-time">
                      {formatTime(item.started_at, l)}
                      {' – '}
                      {item.ended_at ? formatTime(item.ended_at, l) : t('profile.now')}
                    </span>
                    <span class={`pill pill-${itemTone}`}>
                      <StatusDot tone={itemTone} size="sm" />
                      {statusLabel(item, l)}
                    </span>
                    <span class="history-cause muted">
                      {item.changed_by ? t('cause.supervisorNamed', { name: item.changed_by.name }) : t(CAUSE_KEY[item.cause] ?? 'cause.manual')}
                    </span>
                  </li>
                );
              })}
            </ol>
          )}
        </section>
      </div>
      <CannedAnswers company={false} />
    </main>
  );
}

function TimeList({ summary }: { summary: StateSummary }) {
  const l = lang.value;
  const lines = timeLines(summary, pauseTypes.value, l);
  const total = lines.filter((x) => x.key !== 'offline').reduce((sum, x) => sum + x.seconds, 0);
  return (
    <ul class="timelines" aria-labelledby="today-title">
      {lines.map((line) => {
        const share = total > 0 && line.key !== 'offline' ? Math.round((line.seconds / total) * 100) : 0;
        return (
          <li key={line.key} class="timeline">
            <span class="timeline-label">
              <StatusDot tone={line.tone} size="sm" />
              <span>{line.label}</span>
              {line.detail && <span class="tag">{line.detail}</span>}
            </span>
            <span class="timeline-bar" aria-hidden="true">
              <span class={`timeline-fill fill-${line.tone}`} style={{ width: `${share}%` }} />
            </span>
            <span class="timeline-value">{formatDuration(line.seconds, l)}</span>
          </li>
        );
      })}
    </ul>
  );
}
