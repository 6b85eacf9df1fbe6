// The supervisor's wallboard (/wallboard): every group's queue and every operator's status with a
// running timer, channels, line, load and today's counts; the open sessions. A supervisor acts from
// here: sets an operator's status, switches their channels, assigns a waiting session to someone,
// ends a stuck one. Filters by group and channel; a full-screen TV mode.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { lineText } from '../phone';
import { lang, t } from '../state/lang';
import { isSupervisor, me } from '../state/me';
import { board, boardError, boardGroups, boardSessions, loadBoard, watchWallboard } from '../state/wallboard';
import { pauseTypes, team } from '../state/team';
import { statusLabel, toneOf } from '../status';
import type { Channel, GroupBoard, OperatorBoard, Session, TeamMember } from '../types';
import { elapsed, filterTeam, servingTeam, type BoardFilter } from '../wallboard';
import { ConfirmButton } from './ConfirmButton';
import { StatusDot } from './StatusDot';
import { ErrorAlert, failureText } from './ErrorAlert';

const CHANNELS: readonly Channel[] = ['chat', 'email', 'av', 'phone'];

function useNow(): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

function errorText(err: unknown): string {
  if (err instanceof ApiError && err.code === 'already_taken') return t('board.err.taken');
  return failureText(err);
}

export function WallboardPage() {
  const [filter, setFilter] = useState<BoardFilter>({ group: null, channel: null });
  const [tv, setTv] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);
  const mainRef = useRef<HTMLElement>(null);
  const now = useNow();

  useEffect(() => watchWallboard(), []);
  useEffect(() => {
    const left = () => {
      if (!document.fullscreenElement) setTv(false);
    };
    document.addEventListener('fullscreenchange', left);
    return () => document.removeEventListener('fullscreenchange', left);
  }, []);

  if (!isSupervisor.value) {
    return (
      <main class="page">
        <section class="card">
          <p>{t('board.forbidden')}</p>
        </section>
      </main>
    );
  }

  const act = async (action: () => Promise<unknown>) => {
    setActionError(null);
    try {
      await action();
      await loadBoard();
    } catch (err) {
      setActionError(errorText(err));
    }
  };

  const toggleTv = () => {
    const next = !tv;
    setTv(next);
    if (next) void mainRef.current?.requestFullscreen?.().catch(() => undefined);
    else if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
  };

  const b = board.value;
  const groupsShown = (b?.groups ?? []).filter((g) => filter.group === null || g.group_id === filter.group);
  const people = filterTeam(servingTeam(team.value), boardGroups.value, filter);
  const sessions = boardSessions.value.filter(
    (s) => (filter.group === null || s.group_id === filter.group) && (filter.channel === null || s.channel === filter.channel),
  );

  return (
    <main ref={mainRef} class={`page wallboard${tv ? ' is-tv' : ''}`}>
      <div class="board-head">
        <h1 class="page-title">{t('board.title')}</h1>
        <div class="board-tools">
          <label class="field inline-field">
            <span class="field-label">{t('board.group')}</span>
            <select value={filter.group ?? ''} onChange={(ev) => setFilter({ ...filter, group: ev.currentTarget.value || null })}>
              <option value="">{t('board.allGroups')}</option>
              {boardGroups.value.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </label>
          <label class="field inline-field">
            <span class="field-label">{t('board.channel')}</span>
            <select
              value={filter.channel ?? ''}
              onChange={(ev) => setFilter({ ...filter, channel: CHANNELS.find((c) => c === ev.currentTarget.value) ?? null })}
            >
              <option value="">{t('board.allChannels')}</option>
              {CHANNELS.map((c) => (
                <option key={c} value={c}>
                  {t(`channel.${c}`)}
                </option>
              ))}
            </select>
          </label>
          <button type="button" class="btn" aria-pressed={tv} onClick={toggleTv}>
            {tv ? t('board.tvOff') : t('board.tvOn')}
          </button>
        </div>
      </div>
      <ErrorAlert text={actionError ?? (boardError.value ? t('common.error', { message: boardError.value }) : null)} />
      {!b && !boardError.value && <p class="muted">{t('common.loading')}</p>}
      {b && (
        <>
          <GroupsBoard groups={groupsShown} now={now} />
          <OperatorsBoard people={people} lines={b.operators} now={now} act={act} />
          <SessionsBoard sessions={sessions} now={now} act={act} />
        </>
      )}
    </main>
  );
}

function GroupsBoard({ groups, now }: { groups: GroupBoard[]; now: number }) {
  return (
    <section class="card" aria-labelledby="board-groups">
      <h2 id="board-groups" class="section-title">
        {t('board.groups')}
      </h2>
      <table class="table board-table" aria-labelledby="board-groups">
        <thead>
          <tr>
            <th scope="col">{t('board.group')}</th>
            <th scope="col" class="num">
              {t('board.waiting')}
            </th>
            <th scope="col" class="num">
              {t('board.longestWait')}
            </th>
            <th scope="col" class="num">
              {t('board.available')}
            </th>
            <th scope="col" class="num">
              {t('board.answeredToday')}
            </th>
            <th scope="col" class="num">
              {t('board.abandonedToday')}
            </th>
          </tr>
        </thead>
        <tbody>
          {groups.map((g) => (
            <tr key={g.group_id} class={g.waiting > 0 && g.available === 0 ? 'is-alarm' : ''}>
              <th scope="row">{g.name}</th>
              <td class="num big">{g.waiting}</td>
              <td class="num">{g.oldest_waiting_since ? <span class="timer">{elapsed(g.oldest_waiting_since, now)}</span> : '—'}</td>
              <td class="num">{g.available}</td>
              <td class="num">{g.answered_today}</td>
              <td class="num">{g.abandoned_today}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function OperatorsBoard({
  people,
  lines,
  now,
  act,
}: {
  people: TeamMember[];
  lines: OperatorBoard[];
  now: number;
  act: (action: () => Promise<unknown>) => Promise<void>;
}) {
  const l = lang.value;
  return (
    <section class="card" aria-labelledby="board-operators">
      <h2 id="board-operators" class="section-title">
        {t('board.operators')}
      </h2>
      {people.length === 0 ? (
        <p class="muted">{t('board.nobody')}</p>
      ) : (
        <table class="table board-table" aria-labelledby="board-operators">
          <thead>
            <tr>
              <th scope="col">{t('team.name')}</th>
              <th scope="col">{t('team.status')}</th>
              <th scope="col" class="num">
                {t('board.inStatus')}
              </th>
              <th scope="col">{t('board.channels')}</th>
              <th scope="col" class="num">
                {t('board.offers')}
              </th>
              <th scope="col" class="num">
                {t('board.missedToday')}
              </th>
              <th scope="col" class="num">
                {t('board.handledToday')}
              </th>
              <th scope="col" class="col-actions">
                {t('board.setStatus')}
              </th>
            </tr>
          </thead>
          <tbody>
            {people.map((m) => {
              const line = lines.find((x) => x.operator_id === m.id);
              const tone = toneOf(m.state.presence);
              return (
                <tr key={m.id} data-operator={m.name}>
                  <th scope="row">{m.name}</th>
                  <td>
                    <span class={`pill pill-${tone}`}>
                      <StatusDot tone={tone} size="sm" />
                      {statusLabel(m.state, l)}
                    </span>
                  </td>
                  <td class="num">
                    <span class="timer" aria-label={t('board.inStatusFor', { name: m.name, time: elapsed(m.state.since, now) })}>
                      {elapsed(m.state.since, now)}
                    </span>
                  </td>
                  <td>
                    <div class="board-channels">
                      {(m.channels ?? []).map((c) => {
                        const load = line?.load.find((x) => x.channel === c.channel);
                        const name = t(`channel.${c.channel}`);
                        return (
                          <button
                            key={c.channel}
                            type="button"
                            class={`chip-toggle${c.enabled ? ' is-on' : ''}`}
                            aria-pressed={c.enabled}
                            title={t(c.enabled ? 'board.channelOn' : 'board.channelOff', { name: m.name, channel: name })}
                            onClick={() => void act(() => api.setChannel(m.id, c.channel, !c.enabled))}
                          >
                            {name} <span class="load">{load ? `${load.active}/${load.capacity}` : ''}</span>
                            <span class="visually-hidden">{t('board.channelOf', { name: m.name })}</span>
                          </button>
                        );
                      })}
                      {m.phone_line && (
                        <span class={`tag ${m.phone_line.state === 'ready' ? 'tag-ok' : ''}`}>{lineText(m.phone_line, t)}</span>
                      )}
                    </div>
                  </td>
                  <td class="num">{line?.offered ?? 0}</td>
                  <td class="num">{line?.missed_today ?? 0}</td>
                  <td class="num">{line?.handled_today ?? 0}</td>
                  <td class="col-actions">
                    <StatusSelect member={m} act={act} />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The status a supervisor sets for someone: Online, Away, or one of the pause types. */
function StatusSelect({ member, act }: { member: TeamMember; act: (action: () => Promise<unknown>) => Promise<void> }) {
  const current = member.state.status === 'online' ? 'online' : (member.state.pause_type?.id ?? 'away');
  return (
    <select
      class="status-select"
      aria-label={t('board.setStatusFor', { name: member.name })}
      value={current}
      onChange={(ev) => {
        const value = ev.currentTarget.value;
        if (value === current) return;
        const pause = value === 'online' || value === 'away' ? null : value;
        void act(() => api.setState(member.id, value === 'online' ? 'online' : 'away', pause));
      }}
    >
      <option value="online">{t('status.online')}</option>
      <option value="away">{t('status.away')}</option>
      {pauseTypes.value
        .filter((p) => !p.archived)
        .map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
    </select>
  );
}

function SessionsBoard({
  sessions,
  now,
  act,
}: {
  sessions: Session[];
  now: number;
  act: (action: () => Promise<unknown>) => Promise<void>;
}) {
  const people = servingTeam(team.value);
  const nameOf = (id: string | null | undefined) => (id ? (people.find((p) => p.id === id)?.name ?? team.value.find((p) => p.id === id)?.name ?? '') : '');
  const groupName = (id: string) => boardGroups.value.find((g) => g.id === id)?.name ?? '';
  return (
    <section class="card" aria-labelledby="board-sessions">
      <h2 id="board-sessions" class="section-title">
        {t('board.sessions')}
      </h2>
      {sessions.length === 0 ? (
        <p class="muted">{t('board.noSessions')}</p>
      ) : (
        <table class="table board-table" aria-labelledby="board-sessions">
          <thead>
            <tr>
              <th scope="col">{t('board.client')}</th>
              <th scope="col">{t('board.channel')}</th>
              <th scope="col">{t('board.group')}</th>
              <th scope="col">{t('board.state')}</th>
              <th scope="col" class="num">
                {t('board.for')}
              </th>
              <th scope="col" class="col-actions">
                {t('admin.actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => {
              const client = s.client.name || t('board.anonymous');
              const since = s.status === 'active' ? (s.accepted_at ?? s.created_at) : s.created_at;
              const who = s.status === 'active' ? nameOf(s.operator_id) : s.status === 'offered' ? nameOf(s.offered_to) : '';
              return (
                <tr key={s.id} data-session={client}>
                  <th scope="row">{client}</th>
                  <td>{t(`channel.${s.channel}`)}</td>
                  <td>{groupName(s.group_id)}</td>
                  <td>{sessionState(s, who)}</td>
                  <td class="num">
                    <span class="timer">{elapsed(since, now)}</span>
                  </td>
                  <td class="col-actions">
                    <AssignSelect session={s} client={client} people={people} act={act} />
                    <ConfirmButton
                      label={t('board.end')}
                      ariaLabel={t('board.endLabel', { name: client })}
                      question={t('board.endQuestion', { name: client })}
                      confirm={t('board.end')}
                      cancel={t('admin.cancel')}
                      buttonClass="btn btn-small btn-danger"
                      onConfirm={() => void act(() => api.end(s.id))}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}

function sessionState(s: Session, who: string): string {
  if (s.status === 'active') return who ? t('board.state.activeWith', { name: who }) : t('board.state.active');
  if (s.status === 'offered') return who ? t('board.state.offeredWith', { name: who }) : t('board.state.offered');
  return t('board.state.waiting');
}

/** Sends the session to one operator (or to oneself, to take it): they are offered it next. */
function AssignSelect({
  session,
  client,
  people,
  act,
}: {
  session: Session;
  client: string;
  people: TeamMember[];
  act: (action: () => Promise<unknown>) => Promise<void>;
}) {
  const mine = me.value?.user.id;
  const eligible = people.filter((p) => (p.channels ?? []).some((c) => c.channel === session.channel));
  return (
    <select
      class="status-select"
      aria-label={t('board.assignLabel', { name: client })}
      value=""
      onChange={(ev) => {
        const to = ev.currentTarget.value;
        ev.currentTarget.value = '';
        if (to) void act(() => api.transfer(session.id, { operator_id: to }, t('board.assignNote', { name: me.value?.user.name ?? '' })));
      }}
    >
      <option value="">{t('board.assign')}</option>
      {eligible.map((p) => (
        <option key={p.id} value={p.id}>
          {p.id === mine ? t('board.assignMe', { name: p.name }) : p.name}
        </option>
      ))}
    </select>
  );
}
