import { useState } from 'preact/hooks';
import { formatSince } from '../format';
import type { MessageKey } from '../i18n';
import { countdown, restingChannels, secondsLeft } from '../afterChat';
import { CHANNEL_LABEL } from '../channels';
import { myAfterChat, readyAfterChat } from '../state/afterChat';
import { conversations, now, selected } from '../state/conversations';
import { statusLabel, teamCounts, toneOf } from '../status';
import { lang, t } from '../state/lang';
import { isSupervisor, me, myId } from '../state/me';
import { changeMyStatus, team } from '../state/team';
import { lineText } from '../phone';
import type { PhoneLine, Role } from '../types';
import { ChannelChips, ChannelsChangedNotice, ChannelsTab } from './Channels';
import { CallDock } from './CallPanel';
import { ClientPanel, ConversationView } from './Conversation';
import { clientName, LeftColumn } from './Queue';
import { InvitationTab } from './InvitationTab';
import { Handset } from './PhoneButton';
import { NotificationsTab } from './NotificationsTab';
import { StatusDot } from './StatusDot';

type Tab = 'channels' | 'invitation' | 'notifications';
const TABS: readonly { id: Tab; label: MessageKey; body: MessageKey | null }[] = [
  { id: 'channels', label: 'tabs.channels', body: null },
  { id: 'invitation', label: 'tabs.invitation', body: null },
  { id: 'notifications', label: 'tabs.notifications', body: null },
];

/**
 * When Hovor itself set me Away (an offer ran out), says why and offers the way back, so that an
 * operator never sits Away without knowing it.
 */
function AwayNotice() {
  const [busy, setBusy] = useState(false);
  const state = me.value?.state;
  if (!state || state.status !== 'away' || state.cause !== 'missed_offer') return null;
  const back = async () => {
    setBusy(true);
    try {
      await changeMyStatus('online', null);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="alert alert-warn away-notice" role="alert">
      <span>{t('notice.missedOffer')}</span>
      <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void back()}>
        {t('notice.backOnline')}
      </button>
    </div>
  );
}

/** My after-chat work: what it holds back, a countdown, and "Ready" to end it now. */
function AfterChatNotice() {
  const [busy, setBusy] = useState(false);
  const at = now.value;
  const works = myAfterChat.value;
  const left = secondsLeft(works, at);
  if (left <= 0) return null;
  const channels = restingChannels(works, at)
    .map((c) => t(CHANNEL_LABEL[c]))
    .join(', ');
  const ready = async () => {
    setBusy(true);
    try {
      await readyAfterChat();
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="alert alert-info after-chat" aria-label={t('afterChat.title')}>
      <strong>{t('afterChat.title')}</strong>
      <span>
        {t('afterChat.text', { channels, time: countdown(left) })}
      </span>
      <button type="button" class="btn btn-small btn-primary" disabled={busy} onClick={() => void ready()}>
        {t('afterChat.ready')}
      </button>
    </section>
  );
}

export function Workspace() {
  const conv = selected.value;
  // My running call stays in one place (mounted) whichever conversation is open.
  const me = myId();
  const inCall = conversations.value.find(
    (c) => c.session.status === 'active' && c.session.operator_id === me && c.session.call?.state === 'active',
  );
  return (
    <main class={`workspace-layout${conv ? ' has-conversation' : ''}`}>
      <LeftColumn />
      <div class="ws-centre">
        {inCall && <CallDock session={inCall.session} clientName={clientName(inCall.session)} open={conv?.session.id === inCall.session.id} />}
        <AwayNotice />
        <AfterChatNotice />
        <ChannelsChangedNotice />
        {conv ? (
          <ConversationView conv={conv} />
        ) : (
          <>
            <OperatorPanel />
            {isSupervisor.value && <TeamPanel />}
          </>
        )}
      </div>
      {conv && <ClientPanel conv={conv} />}
    </main>
  );
}

function OperatorPanel() {
  const [tab, setTab] = useState<Tab>('channels');
  const current = me.value;
  if (!current) return null;
  const active = TABS.find((x) => x.id === tab) ?? TABS[0]!;
  const onKey = (ev: KeyboardEvent) => {
    const i = TABS.findIndex((x) => x.id === tab);
    let next = -1;
    if (ev.key === 'ArrowRight') next = (i + 1) % TABS.length;
    if (ev.key === 'ArrowLeft') next = (i - 1 + TABS.length) % TABS.length;
    if (next < 0) return;
    ev.preventDefault();
    const id = TABS[next]!.id;
    setTab(id);
    document.getElementById(`tab-${id}`)?.focus();
  };
  return (
    <section class="card panel" aria-label={t('panel.label')}>
      <div class="panel-head">
        <h1 class="panel-title">{t('panel.greeting')}</h1>
        <p class="muted">{t('panel.statusHint')}</p>
      </div>
      <div class="tabs" role="tablist" aria-label={t('panel.label')} onKeyDown={onKey}>
        {TABS.map((x) => (
          <button
            key={x.id}
            id={`tab-${x.id}`}
            type="button"
            role="tab"
            class="tab"
            aria-selected={x.id === tab}
            aria-controls={`tabpanel-${x.id}`}
            tabIndex={x.id === tab ? 0 : -1}
            onClick={() => setTab(x.id)}
          >
            {t(x.label)}
          </button>
        ))}
      </div>
      <div class="tabpanel" id={`tabpanel-${active.id}`} role="tabpanel" aria-labelledby={`tab-${active.id}`}>
        {active.id === 'channels' ? (
          <ChannelsTab />
        ) : active.id === 'notifications' ? (
          <NotificationsTab />
        ) : active.id === 'invitation' ? (
          <InvitationTab />
        ) : active.body === null ? null : (
          <div class="empty">
            <svg class="empty-icon" viewBox="0 0 48 48" aria-hidden="true">
              <circle cx="24" cy="24" r="20" fill="currentColor" opacity="0.12" />
              <path d="M16 20h16M16 26h10" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" />
            </svg>
            <p>{t(active.body)}</p>
          </div>
        )}
      </div>
    </section>
  );
}

function TeamPhone({ name, line }: { name: string; line: PhoneLine }) {
  const text = lineText(line, t);
  return (
    <span class={`team-phone ${line.state === 'ready' ? 'is-ready' : 'is-unavailable'}`} role="img" aria-label={t('team.phone', { name, line: text })} title={text}>
      <Handset class="handset-icon" />
    </span>
  );
}

const ROLE_KEY: Record<Role, MessageKey> = { admin: 'role.admin', supervisor: 'role.supervisor', operator: 'role.operator' };

function TeamPanel() {
  const l = lang.value;
  const members = team.value;
  const counts = teamCounts(members);
  return (
    <section class="card team" aria-labelledby="team-title">
      <div class="team-head">
        <h2 id="team-title" class="section-title">
          {t('team.title')}
        </h2>
        <p class="muted small">{t('team.summary', { online: counts.online, away: counts.away, offline: counts.offline })}</p>
      </div>
      {members.length === 0 ? (
        <p class="muted">{t('team.empty')}</p>
      ) : (
        <table class="table" aria-label={t('team.title')}>
          <thead>
            <tr>
              <th scope="col">{t('team.name')}</th>
              <th scope="col">{t('team.status')}</th>
              <th scope="col">{t('team.channels')}</th>
              <th scope="col" class="col-since">
                {t('team.since')}
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((m) => {
              const tone = toneOf(m.state.presence);
              return (
                <tr key={m.id}>
                  <th scope="row" class="person">
                    <span class="person-name">{m.name}</span>
                    <span class="person-role">{t(ROLE_KEY[m.role])}</span>
                  </th>
                  <td>
                    <span class={`pill pill-${tone}`}>
                      <StatusDot tone={tone} size="sm" />
                      {statusLabel(m.state, l)}
                    </span>
                  </td>
                  <td>
                    <ChannelChips channels={m.channels ?? []} />
                    {m.phone_line && <TeamPhone name={m.name} line={m.phone_line} />}
                  </td>
                  <td class="col-since muted">{formatSince(m.state.since, l)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
