// Reports (/reports, supervisors and admins): each operator's day or week as a stacked bar of time
// online, away and on each pause type (paid and unpaid), with sessions handled; the queue hour by
// hour with the service level; CSV downloads. Each chart is plain SVG with the same numbers in a
// table beside it, readable in both languages and printable.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { barParts, duration, paidTime, periodOf, type PartKind } from '../reports';
import { adminGroups, loadAdminGroups } from '../state/admin';
import { lang, t } from '../state/lang';
import { isSupervisor } from '../state/me';
import type { OperatorsReport, QueueReport } from '../types';
import { ErrorAlert, failureText } from './ErrorAlert';

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'Europe/Prague';
const PART_LABEL: Record<PartKind, 'reports.online' | 'reports.away' | 'reports.paidBreak' | 'reports.unpaidBreak'> = {
  online: 'reports.online',
  away: 'reports.away',
  paid: 'reports.paidBreak',
  unpaid: 'reports.unpaidBreak',
};

function isoDate(d: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

export function Reports() {
  const [day, setDay] = useState(() => isoDate(new Date()));
  const [period, setPeriod] = useState<'day' | 'week'>('day');
  const [group, setGroup] = useState<string | null>(null);
  const [people, setPeople] = useState<OperatorsReport | null>(null);
  const [queue, setQueue] = useState<QueueReport | null>(null);
  const [error, setError] = useState<string | null>(null);

  const [y, m, d] = day.split('-').map(Number);
  const { from, to } = periodOf(new Date(y ?? 2026, (m ?? 1) - 1, d ?? 1), period);

  useEffect(() => {
    void loadAdminGroups().catch(() => undefined);
  }, []);
  useEffect(() => {
    setError(null);
    Promise.all([api.operatorsReport(from, to, period, group, TZ), api.queueReport(from, to, group, TZ, 20)])
      .then(([p, q]) => {
        setPeople(p);
        setQueue(q);
      })
      .catch((err: unknown) => setError(failureText(err)));
  }, [day, period, group]);

  if (!isSupervisor.value) {
    return (
      <main class="page">
        <section class="card">
          <p>{t('board.forbidden')}</p>
        </section>
      </main>
    );
  }

  const range = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
  return (
    <main class="page reports">
      <div class="board-head">
        <h1 class="page-title">{t('reports.title')}</h1>
        <div class="board-tools">
          <label class="field inline-field">
            <span class="field-label">{t('reports.period')}</span>
            <select value={period} onChange={(ev) => setPeriod(ev.currentTarget.value === 'week' ? 'week' : 'day')}>
              <option value="day">{t('reports.day')}</option>
              <option value="week">{t('reports.week')}</option>
            </select>
          </label>
          <label class="field inline-field">
            <span class="field-label">{t('reports.date')}</span>
            <input type="date" value={day} onInput={(ev) => ev.currentTarget.value && setDay(ev.currentTarget.value)} />
          </label>
          <label class="field inline-field">
            <span class="field-label">{t('board.group')}</span>
            <select value={group ?? ''} onChange={(ev) => setGroup(ev.currentTarget.value || null)}>
              <option value="">{t('board.allGroups')}</option>
              {adminGroups.value
                .filter((g) => !g.builtin)
                .map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
            </select>
          </label>
        </div>
      </div>
      <ErrorAlert text={error} />
      {people && <PeopleReport report={people} />}
      {queue && <QueueSection report={queue} />}
      <section class="card" aria-labelledby="exports-title">
        <h2 id="exports-title" class="section-title">
          {t('reports.exports')}
        </h2>
        <p class="muted small">{t('reports.exportsHint')}</p>
        <div class="form-actions">
          <a class="btn" href={`/api/v1/reports/state-history.csv?${range}`} download>
            {t('reports.historyCsv')}
          </a>
          <a class="btn" href={`/api/v1/reports/sessions.csv?${range}${group ? `&group_id=${encodeURIComponent(group)}` : ''}`} download>
            {t('reports.sessionsCsv')}
          </a>
        </div>
      </section>
    </main>
  );
}

function PeopleReport({ report }: { report: OperatorsReport }) {
  const l = lang.value;
  const rows = report.items.map((o) => ({ o, b: o.buckets[0] })).filter((r) => r.b !== undefined);
  const longest = Math.max(1, ...rows.map(({ b }) => (b ? b.online_s + b.away_s + b.paid_break_s + b.unpaid_break_s : 0)));
  const label = (kind: PartKind, name: string) => (kind === 'paid' || kind === 'unpaid' ? name : t(PART_LABEL[kind]));
  const rowHeight = 30;
  const nameWidth = 170;
  const barWidth = 560;
  return (
    <section class="card" aria-labelledby="people-title">
      <h2 id="people-title" class="section-title">
        {t('reports.operators')}
      </h2>
      <div class="chart-legend" aria-hidden="true">
        {(['online', 'away', 'paid', 'unpaid'] as const).map((k) => (
          <span key={k} class="legend-item">
            <span class={`swatch part-${k}`} />
            {t(PART_LABEL[k])}
          </span>
        ))}
      </div>
      <svg
        class="chart"
        role="img"
        aria-label={t('reports.operatorsChart')}
        viewBox={`0 0 ${nameWidth + barWidth + 10} ${rows.length * rowHeight + 4}`}
        width="100%"
      >
        {rows.map(({ o, b }, i) => {
          let x = nameWidth;
          return (
            <g key={o.operator_id}>
              <text x={0} y={i * rowHeight + 19} class="chart-name">
                {o.name}
              </text>
              {b &&
                barParts(b).map((p) => {
                  const w = (p.seconds / longest) * barWidth;
                  const rect = (
                    <rect key={`${p.kind}-${p.label}`} x={x} y={i * rowHeight + 4} width={Math.max(w, 1)} height={rowHeight - 10} class={`part-${p.kind}`}>
                      <title>{`${o.name}: ${label(p.kind, p.label)} ${duration(p.seconds)}`}</title>
                    </rect>
                  );
                  x += w;
                  return rect;
                })}
            </g>
          );
        })}
      </svg>
      <table class="table report-table" aria-labelledby="people-title">
        <thead>
          <tr>
            <th scope="col">{t('team.name')}</th>
            <th scope="col" class="num">
              {t('reports.online')}
            </th>
            <th scope="col" class="num">
              {t('reports.away')}
            </th>
            <th scope="col">{t('reports.breaks')}</th>
            <th scope="col" class="num">
              {t('reports.paidTime')}
            </th>
            <th scope="col" class="num">
              {t('reports.afterChat')}
            </th>
            <th scope="col" class="num">
              {t('reports.handled')}
            </th>
            <th scope="col" class="num">
              {t('reports.rating')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ o, b }) =>
            b ? (
              <tr key={o.operator_id} data-operator={o.name}>
                <th scope="row">{o.name}</th>
                <td class="num">{duration(b.online_s)}</td>
                <td class="num">{duration(b.away_s)}</td>
                <td>
                  {b.break_s.length === 0
                    ? '—'
                    : b.break_s
                        .map((x) => `${x.pause_type.name} ${duration(x.seconds)} (${t(x.paid ? 'reports.paid' : 'reports.unpaid')})`)
                        .join(', ')}
                </td>
                <td class="num">{duration(paidTime(b))}</td>
                <td class="num">{duration(b.after_chat_s)}</td>
                <td class="num">{b.sessions_handled.toLocaleString(l)}</td>
                <td class="num">
                  {b.average_rating == null
                    ? '—'
                    : t('reports.ratingValue', {
                        average: b.average_rating.toLocaleString(l, { minimumFractionDigits: 1, maximumFractionDigits: 2 }),
                        count: b.ratings.toLocaleString(l),
                      })}
                </td>
              </tr>
            ) : null,
          )}
        </tbody>
      </table>
    </section>
  );
}

function QueueSection({ report }: { report: QueueReport }) {
  const hours = report.items;
  const sl = report.totals.service_level;
  return (
    <section class="card" aria-labelledby="queue-title">
      <h2 id="queue-title" class="section-title">
        {t('reports.queue')}
      </h2>
      <p class="report-totals">
        {t('reports.totals', {
          created: report.totals.created,
          answered: report.totals.answered,
          abandoned: report.totals.abandoned,
          sl: sl == null ? '—' : `${Math.round(sl * 100)} %`,
          n: report.service_level_s,
        })}
      </p>
      {report.totals.created === 0 && hours.every((h) => h.max_waiting === 0) ? (
        <p class="muted">{t('reports.noClients')}</p>
      ) : (
        <QueueChart report={report} />
      )}
    </section>
  );
}

function QueueChart({ report }: { report: QueueReport }) {
  const l = lang.value;
  const hours = report.items;
  const peak = Math.max(1, ...hours.map((h) => Math.max(h.created, h.max_waiting)));
  const width = 24;
  const height = 120;
  const hourOf = (iso: string) => new Date(iso).toLocaleTimeString(l, { hour: '2-digit', minute: '2-digit' });
  return (
    <>
      {hours.length <= 48 && (
        <svg class="chart" role="img" aria-label={t('reports.queueChart')} viewBox={`0 0 ${hours.length * width + 4} ${height + 20}`} width="100%">
          {hours.map((h, i) => {
            const created = (h.created / peak) * height;
            const waiting = (h.max_waiting / peak) * height;
            return (
              <g key={h.start}>
                <rect x={i * width + 2} y={height - created} width={width / 2 - 2} height={created} class="part-online">
                  <title>{`${hourOf(h.start)}: ${t('reports.created')} ${h.created}`}</title>
                </rect>
                <rect x={i * width + width / 2} y={height - waiting} width={width / 2 - 2} height={waiting} class="part-away">
                  <title>{`${hourOf(h.start)}: ${t('reports.maxWaiting')} ${h.max_waiting}`}</title>
                </rect>
                {i % 3 === 0 && (
                  <text x={i * width + 2} y={height + 14} class="chart-axis">
                    {hourOf(h.start)}
                  </text>
                )}
              </g>
            );
          })}
        </svg>
      )}
      <table class="table report-table" aria-labelledby="queue-title">
        <thead>
          <tr>
            <th scope="col">{t('reports.hour')}</th>
            <th scope="col" class="num">
              {t('reports.created')}
            </th>
            <th scope="col" class="num">
              {t('reports.answered')}
            </th>
            <th scope="col" class="num">
              {t('reports.withinSl', { n: report.service_level_s })}
            </th>
            <th scope="col" class="num">
              {t('reports.abandoned')}
            </th>
            <th scope="col" class="num">
              {t('reports.maxWaiting')}
            </th>
            <th scope="col" class="num">
              {t('reports.avgWait')}
            </th>
            <th scope="col" class="num">
              {t('reports.maxWait')}
            </th>
          </tr>
        </thead>
        <tbody>
          {hours
            .filter((h) => h.created > 0 || h.max_waiting > 0)
            .map((h) => (
              <tr key={h.start}>
                <th scope="row">{new Date(h.start).toLocaleString(l, { weekday: 'short', hour: '2-digit', minute: '2-digit' })}</th>
                <td class="num">{h.created}</td>
                <td class="num">{h.answered}</td>
                <td class="num">{h.answered_within_sl}</td>
                <td class="num">{h.abandoned}</td>
                <td class="num">{h.max_waiting}</td>
                <td class="num">{h.avg_wait_s == null ? '—' : duration(h.avg_wait_s)}</td>
                <td class="num">{h.max_wait_s == null ? '—' : duration(h.max_wait_s)}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </>
  );
}
