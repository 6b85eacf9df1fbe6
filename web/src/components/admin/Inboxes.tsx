// Administration › E-mail: the company's inboxes, each read over IMAP and answered over SMTP, with
// how reading goes (connecting, fine, or failing and why), pause and delete. Passwords are written,
// never shown: editing without typing one keeps the stored one.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import { defaultPort, draftOf, draftProblems, inboxPatch, newInboxBody, unencrypted, type InboxDraft, type InboxProblem, type ServerDraft } from '../../admin/inboxDraft';
import { formatSince } from '../../format';
import type { MessageKey } from '../../i18n';
import { lang, t } from '../../state/lang';
import type { Group, Inbox, MailSecurity } from '../../types';
import { ConfirmButton } from '../ConfirmButton';
import { ErrorAlert, failureText } from '../ErrorAlert';
import { ListHead } from './ListHead';

const PROBLEM_TEXT: Record<InboxProblem, MessageKey> = {
  name: 'inboxes.err.name',
  address: 'inboxes.err.address',
  imapHost: 'inboxes.err.host',
  smtpHost: 'inboxes.err.host',
  imapPort: 'inboxes.err.port',
  smtpPort: 'inboxes.err.port',
  imapUser: 'inboxes.err.user',
  smtpUser: 'inboxes.err.user',
  imapPassword: 'inboxes.err.password',
  smtpPassword: 'inboxes.err.password',
};

const STATE_KEY: Record<Inbox['state'], MessageKey> = {
  connecting: 'inboxes.state.connecting',
  ok: 'inboxes.state.ok',
  failing: 'inboxes.state.failing',
};

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'private_address') return t('inboxes.err.private');
    if (err.code === 'inbox_address_taken') return t('inboxes.err.taken');
  }
  return failureText(err);
}

export function Inboxes() {
  const [inboxes, setInboxes] = useState<Inbox[] | null>(null);
  const [groups, setGroups] = useState<Group[]>([]);
  const [editing, setEditing] = useState<Inbox | 'new' | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = () =>
    api
      .inboxes()
      .then((page) => setInboxes(page.items))
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => {
    void load();
    api
      .groups()
      .then((page) => setGroups(page.items))
      .catch(() => undefined);
  }, []);
  // While an inbox is being connected, its state is read again every few seconds.
  const connecting = inboxes?.some((i) => i.active && i.state === 'connecting') ?? false;
  useEffect(() => {
    if (!connecting) return;
    const timer = setInterval(() => void load(), 3000);
    return () => clearInterval(timer);
  }, [connecting]);

  const run = async (action: () => Promise<unknown>, done: string | null) => {
    setError(null);
    setNotice(null);
    try {
      await action();
      await load();
      setNotice(done);
    } catch (err) {
      setError(errorText(err));
    }
  };

  const l = lang.value;
  return (
    <>
      {editing !== null && (
        <InboxForm
          inbox={editing === 'new' ? null : editing}
          groups={groups}
          onDone={(saved) => {
            setEditing(null);
            setNotice(saved);
            void load();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    <section class="card" aria-labelledby="inboxes-title">
      <ListHead
        titleId="inboxes-title"
        title={t('inboxes.title')}
        hint={t('inboxes.hint')}
        newLabel={t('inboxes.new')}
        onNew={editing === null ? () => setEditing('new') : null}
        notice={notice}
        error={error}
      />
      {inboxes === null && !error && <p class="muted">{t('common.loading')}</p>}
      {inboxes !== null && inboxes.length === 0 && editing === null && <p class="muted">{t('inboxes.none')}</p>}
      {inboxes !== null && inboxes.length > 0 && (
        <table class="table" aria-labelledby="inboxes-title">
          <thead>
            <tr>
              <th scope="col">{t('admin.name')}</th>
              <th scope="col">{t('inboxes.address')}</th>
              <th scope="col">{t('admin.state')}</th>
              <th scope="col" class="col-actions">
                {t('admin.actions')}
              </th>
            </tr>
          </thead>
          <tbody>
            {inboxes.map((i) => (
              <tr key={i.id}>
                <th scope="row">{i.name}</th>
                <td>{i.address}</td>
                <td>
                  <span class={`tag ${!i.active ? '' : i.state === 'ok' ? 'tag-ok' : i.state === 'failing' ? 'tag-bad' : ''}`}>
                    {i.active ? t(STATE_KEY[i.state]) : t('inboxes.paused')}
                  </span>
                  {i.active && i.state === 'failing' && i.last_error && <p class="small inbox-error">{i.last_error}</p>}
                  {i.checked_at && <p class="muted small">{t('inboxes.checked', { when: formatSince(i.checked_at, l) })}</p>}
                </td>
                <td class="col-actions">
                  <button type="button" class="btn btn-small" aria-label={t('inboxes.editLabel', { name: i.name })} onClick={() => setEditing(i)}>
                    {t('users.edit')}
                  </button>
                  <button
                    type="button"
                    class="btn btn-small"
                    onClick={() =>
                      void run(() => api.updateInbox(i.id, { active: !i.active }), t(i.active ? 'inboxes.pausedNotice' : 'inboxes.resumedNotice', { name: i.name }))
                    }
                  >
                    {t(i.active ? 'inboxes.pause' : 'inboxes.resume')}
                  </button>
                  <ConfirmButton
                    label={t('admin.delete')}
                    ariaLabel={t('inboxes.deleteLabel', { name: i.name })}
                    question={t('inboxes.deleteQuestion', { name: i.name })}
                    confirm={t('admin.delete')}
                    cancel={t('admin.cancel')}
                    buttonClass="btn btn-small btn-danger"
                    onConfirm={() => void run(() => api.deleteInbox(i.id), t('inboxes.deleted', { name: i.name }))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
    </>
  );
}

function InboxForm({ inbox, groups, onDone, onCancel }: { inbox: Inbox | null; groups: Group[]; onDone: (notice: string) => void; onCancel: () => void }) {
  const [draft, setDraft] = useState<InboxDraft>(() => draftOf(inbox));
  const [shown, setShown] = useState<InboxProblem[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const editing = inbox !== null;
  const title = editing ? t('inboxes.editTitle', { name: inbox.name }) : t('inboxes.newTitle');
  const set = (patch: Partial<InboxDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (ev: Event) => {
    ev.preventDefault();
    const problems = draftProblems(draft, editing);
    setShown(problems);
    if (problems.length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const saved = editing ? await api.updateInbox(inbox.id, inboxPatch(draft)) : await api.createInbox(newInboxBody(draft));
      onDone(t(editing ? 'inboxes.saved' : 'inboxes.created', { name: saved.name }));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const problem = (p: InboxProblem) => (shown.includes(p) ? t(PROBLEM_TEXT[p]) : null);
  return (
    <section class="card" aria-labelledby="inbox-form-title">
      <h2 id="inbox-form-title" class="section-title">
        {title}
      </h2>
      <ErrorAlert text={error} />
      <form class="form" onSubmit={(ev) => void submit(ev)} noValidate>
        <div class="form-grid">
          <TextField id="inbox-name" label={t('admin.name')} value={draft.name} maxLength={80} problem={problem('name')} onInput={(name) => set({ name })} />
          <TextField
            id="inbox-address"
            type="email"
            label={t('inboxes.address')}
            value={draft.address}
            maxLength={254}
            problem={problem('address')}
            onInput={(address) => set({ address })}
          />
          <label class="field">
            <span class="field-label">{t('inboxes.group')}</span>
            <select value={draft.groupId} onChange={(ev) => set({ groupId: ev.currentTarget.value })}>
              <option value="">{t('inboxes.allOperators')}</option>
              {groups
                .filter((g) => !g.builtin)
                .map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
            </select>
          </label>
        </div>
        <ServerFields
          protocol="imap"
          legend={t('inboxes.imap')}
          server={draft.imap}
          editing={editing}
          onChange={(imap) => set({ imap })}
          problem={problem}
        />
        <TextField id="inbox-folder" label={t('inboxes.folder')} value={draft.folder} maxLength={200} problem={null} onInput={(folder) => set({ folder })} />
        <ServerFields
          protocol="smtp"
          legend={t('inboxes.smtp')}
          server={draft.smtp}
          editing={editing}
          onChange={(smtp) => set({ smtp })}
          problem={problem}
        />
        {unencrypted(draft) && (
          <div class="alert alert-warn" role="note">
            {t('inboxes.unencrypted')}
          </div>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {editing ? t('admin.save') : t('inboxes.create')}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

function ServerFields(props: {
  protocol: 'imap' | 'smtp';
  legend: string;
  server: ServerDraft;
  editing: boolean;
  onChange: (s: ServerDraft) => void;
  problem: (p: InboxProblem) => string | null;
}) {
  const { protocol, server } = props;
  const set = (patch: Partial<ServerDraft>) => props.onChange({ ...server, ...patch });
  return (
    <fieldset class="fieldset">
      <legend class="field-label">{props.legend}</legend>
      <div class="form-grid">
        <TextField
          id={`${protocol}-host`}
          label={t('inboxes.host')}
          value={server.host}
          maxLength={253}
          problem={props.problem(`${protocol}Host`)}
          onInput={(host) => set({ host })}
        />
        <label class="field">
          <span class="field-label">{t('inboxes.security')}</span>
          <select
            value={server.security}
            onChange={(ev) => {
              const value = ev.currentTarget.value;
              const security: MailSecurity = value === 'tls' || value === 'starttls' ? value : 'none';
              set({ security, port: String(defaultPort(protocol, security)) });
            }}
          >
            <option value="tls">{t('inboxes.security.tls')}</option>
            <option value="starttls">{t('inboxes.security.starttls')}</option>
            <option value="none">{t('inboxes.security.none')}</option>
          </select>
        </label>
        <TextField
          id={`${protocol}-port`}
          label={t('inboxes.port')}
          value={server.port}
          maxLength={5}
          numeric
          problem={props.problem(`${protocol}Port`)}
          onInput={(port) => set({ port })}
        />
      </div>
      <div class="form-grid">
        <TextField
          id={`${protocol}-username`}
          label={t('inboxes.username')}
          value={server.username}
          maxLength={320}
          problem={props.problem(`${protocol}User`)}
          onInput={(username) => set({ username })}
        />
        <TextField
          id={`${protocol}-password`}
          type="password"
          label={t('inboxes.password')}
          value={server.password}
          maxLength={1024}
          placeholder={props.editing ? t('inboxes.passwordKept') : undefined}
          problem={props.problem(`${protocol}Password`)}
          onInput={(password) => set({ password })}
        />
      </div>
    </fieldset>
  );
}

/** A labelled text field whose problem, when it has one, is announced with it. */
function TextField(props: {
  id: string;
  label: string;
  value: string;
  maxLength: number;
  problem: string | null;
  onInput: (value: string) => void;
  type?: 'text' | 'email' | 'password';
  placeholder?: string | undefined;
  numeric?: boolean;
}) {
  const errorId = `${props.id}-error`;
  return (
    <div class="field">
      <label class="field-label" for={props.id}>
        {props.label}
      </label>
      {props.type === 'password' ? (
        <input
          id={props.id}
          type="password"
          value={props.value}
          maxLength={props.maxLength}
          placeholder={props.placeholder}
          autocomplete="new-password"
          aria-invalid={props.problem ? true : undefined}
          aria-describedby={props.problem ? errorId : undefined}
          onInput={(ev) => props.onInput(ev.currentTarget.value)}
        />
      ) : (
        <input
          id={props.id}
          type="text"
          value={props.value}
          maxLength={props.maxLength}
          inputMode={props.type === 'email' ? 'email' : props.numeric ? 'numeric' : undefined}
          autocomplete="off"
          aria-invalid={props.problem ? true : undefined}
          aria-describedby={props.problem ? errorId : undefined}
          onInput={(ev) => props.onInput(ev.currentTarget.value)}
        />
      )}
      {props.problem && (
        <span id={errorId} class="field-error">
          {props.problem}
        </span>
      )}
    </div>
  );
}
