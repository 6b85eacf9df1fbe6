// Administration › Users: everyone who logs in, with their role, groups, channels and phone
// extension; create, edit and deactivate. What changes here reaches the user's open workspace live
// (channels, the handset); a new password or role logs them out everywhere.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import {
  FORM_CHANNELS,
  MAX_CAPACITY,
  draftOf,
  draftProblems,
  hasCapacity,
  newUserBody,
  userErrorKey,
  userPatch,
  type DraftField,
  type UserDraft,
} from '../../admin/userDraft';
import type { MessageKey } from '../../i18n';
import { adminGroups, adminUsers, loadAdmin, loadAdminUsers } from '../../state/admin';
import { t } from '../../state/lang';
import { me } from '../../state/me';
import type { AdminUser, Channel, Role } from '../../types';
import { ConfirmButton } from '../ConfirmButton';
import { ListHead } from './ListHead';
import { ErrorAlert, failureText } from '../ErrorAlert';

const ROLES: readonly Role[] = ['operator', 'supervisor', 'admin'];

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const key = userErrorKey(err.code);
    if (key) return t(key);
  }
  return failureText(err);
}

/** Which form is open: none, a new user, or one user's. */
type Editing = null | 'new' | AdminUser;

export function Users() {
  const [editing, setEditing] = useState<Editing>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [loaded, setLoaded] = useState(false);

  useEffect(() => {
    loadAdmin()
      .then(() => setLoaded(true))
      .catch((err: unknown) => setLoadError(errorText(err)));
  }, []);

  const closeForm = (message: string | null) => {
    setEditing(null);
    setNotice(message);
  };

  const deactivate = async (user: AdminUser) => {
    setListError(null);
    setNotice(null);
    try {
      await api.deactivateUser(user.id);
      await loadAdminUsers();
      setNotice(t('users.deactivated', { name: user.name }));
    } catch (err) {
      setListError(errorText(err));
    }
  };

  return (
    <>
      {editing !== null && (
        <UserForm
          key={editing === 'new' ? 'new' : editing.id}
          user={editing === 'new' ? null : editing}
          onDone={closeForm}
          onCancel={() => setEditing(null)}
        />
      )}
      <section class="card" aria-labelledby="users-title">
        <ListHead
          titleId="users-title"
          title={t('users.title')}
          hint={t('users.hint')}
          newLabel={t('users.new')}
          onNew={
            editing === null
              ? () => {
                  setNotice(null);
                  setEditing('new');
                }
              : null
          }
          notice={notice}
          error={loadError ?? listError}
        />
        {!loaded && !loadError && <p class="muted">{t('common.loading')}</p>}
        {loaded && (
          <table class="table users-table" aria-labelledby="users-title">
            <thead>
              <tr>
                <th scope="col">{t('users.name')}</th>
                <th scope="col">{t('users.role')}</th>
                <th scope="col">{t('users.groups')}</th>
                <th scope="col">{t('users.channels')}</th>
                <th scope="col" class="col-actions">
                  {t('admin.actions')}
                </th>
              </tr>
            </thead>
            <tbody>
              {adminUsers.value.map((u) => (
                <UserRow
                  key={u.id}
                  user={u}
                  onEdit={() => {
                    setNotice(null);
                    setEditing(u);
                  }}
                  onDeactivate={() => void deactivate(u)}
                />
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function channelSummary(user: AdminUser): string {
  if (user.channels.length === 0) return t('users.noChannels');
  return user.channels
    .map((c) => {
      const name = t(`channel.${c.channel}`);
      if (c.channel === 'phone' && user.phone_extension) return t('users.phoneExt', { channel: name, ext: user.phone_extension });
      return hasCapacity(c.channel) ? t('users.capacityShort', { channel: name, n: c.capacity }) : name;
    })
    .join(', ');
}

function UserRow({ user, onEdit, onDeactivate }: { user: AdminUser; onEdit: () => void; onDeactivate: () => void }) {
  const self = me.value?.user.id === user.id;
  const groups = adminGroups.value.filter((g) => user.groups.includes(g.id)).map((g) => g.name);
  return (
    <tr data-user={user.email}>
      <th scope="row" class="user-cell">
        <span class="user-name">
          {user.name} {self && <span class="muted small">{t('users.you')}</span>}
        </span>
        <span class="muted small">{user.email}</span>
      </th>
      <td>{t(`role.${user.role}`)}</td>
      <td>{groups.length > 0 ? groups.join(', ') : <span class="muted">—</span>}</td>
      <td>{channelSummary(user)}</td>
      <td class="col-actions">
        <button type="button" class="btn btn-small" aria-label={t('users.editLabel', { name: user.name })} onClick={onEdit}>
          {t('users.edit')}
        </button>
        {!self && (
          <ConfirmButton
            label={t('users.deactivate')}
            ariaLabel={t('users.deactivateLabel', { name: user.name })}
            question={t('users.deactivateQuestion', { name: user.name })}
            confirm={t('users.deactivate')}
            cancel={t('admin.cancel')}
            buttonClass="btn btn-small btn-danger"
            onConfirm={onDeactivate}
          />
        )}
      </td>
    </tr>
  );
}

function FieldError({ id, problem }: { id: string; problem: MessageKey | undefined }) {
  if (!problem) return null;
  return (
    <span id={id} class="field-error">
      {t(problem)}
    </span>
  );
}

function UserForm({
  user,
  onDone,
  onCancel,
}: {
  user: AdminUser | null;
  onDone: (notice: string | null) => void;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState<UserDraft>(() => draftOf(user));
  const [showProblems, setShowProblems] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);

  const problems = draftProblems(draft);
  const shown = (field: DraftField) => (showProblems ? problems[field] : undefined);
  const set = (patch: Partial<UserDraft>) => setDraft((d) => ({ ...d, ...patch }));
  const setChannel = (channel: Channel, patch: Partial<UserDraft['channels'][Channel]>) =>
    setDraft((d) => ({ ...d, channels: { ...d.channels, [channel]: { ...d.channels[channel], ...patch } } }));
  const toggleGroup = (id: string, on: boolean) =>
    setDraft((d) => ({ ...d, groups: on ? [...d.groups, id].sort() : d.groups.filter((g) => g !== id) }));

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (Object.keys(problems).length > 0) {
      setShowProblems(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (user === null) {
        const created = await api.createUser(newUserBody(draft));
        await loadAdminUsers();
        onDone(t('users.created', { name: created.name }));
      } else {
        const patch = userPatch(draft, user);
        if (patch === null) {
          onDone(t('users.unchanged'));
          return;
        }
        await api.updateUser(user.id, patch);
        await loadAdminUsers();
        onDone(t('admin.saved'));
      }
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const titleId = 'user-form-title';
  const groups = adminGroups.value.filter((g) => !g.builtin);
  return (
    <section class="card user-form-card" aria-labelledby={titleId}>
      <h2 id={titleId} class="section-title">
        {user === null ? t('users.newTitle') : t('users.editTitle', { name: user.name })}
      </h2>
      <ErrorAlert text={error} />
      <form class="form user-form" noValidate onSubmit={(ev) => void submit(ev)}>
        <div class="form-grid">
          <div class="field">
            <label class="field-label" for="user-name">
              {t('users.name')}
            </label>
            <input
              id="user-name"
              ref={nameRef}
              type="text"
              autocomplete="off"
              maxLength={100}
              value={draft.name}
              aria-invalid={shown('name') ? true : undefined}
              aria-describedby={shown('name') ? 'user-name-error' : undefined}
              onInput={(ev) => set({ name: ev.currentTarget.value })}
            />
            <FieldError id="user-name-error" problem={shown('name')} />
          </div>
          <div class="field">
            <label class="field-label" for="user-email">
              {t('users.email')}
            </label>
            <input
              id="user-email"
              type="email"
              autocomplete="off"
              maxLength={254}
              value={draft.email}
              aria-invalid={shown('email') ? true : undefined}
              aria-describedby={shown('email') ? 'user-email-error' : undefined}
              onInput={(ev) => set({ email: ev.currentTarget.value })}
            />
            <FieldError id="user-email-error" problem={shown('email')} />
          </div>
          <label class="field">
            <span class="field-label">{t('users.role')}</span>
            <select value={draft.role} onChange={(ev) => set({ role: ROLES.find((r) => r === ev.currentTarget.value) ?? 'operator' })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
            {user !== null && <span class="field-hint">{t('users.roleHint')}</span>}
          </label>
          <div class="field">
            <label class="field-label" for="user-password">
              {user === null ? t('users.password') : t('users.newPassword')}
            </label>
            <input
              id="user-password"
              type="password"
              autocomplete="new-password"
              maxLength={200}
              value={draft.password}
              aria-invalid={shown('password') ? true : undefined}
              aria-describedby="user-password-hint"
              onInput={(ev) => set({ password: ev.currentTarget.value })}
            />
            <span id="user-password-hint" class="field-hint">
              {shown('password') ? (
                <span class="field-error">{t('users.err.password')}</span>
              ) : (
                t(user === null ? 'users.passwordHintNew' : 'users.passwordHintEdit')
              )}
            </span>
          </div>
        </div>

        <fieldset class="fieldset">
          <legend class="field-label">{t('users.channels')}</legend>
          <p class="field-hint">{t('users.channelsHint')}</p>
          <div class="channel-grid">
            {FORM_CHANNELS.map((channel) => {
              const c = draft.channels[channel];
              const name = t(`channel.${channel}`);
              return (
                <div class="channel-choice" key={channel}>
                  <label class="check-field">
                    <input type="checkbox" checked={c.assigned} onChange={(ev) => setChannel(channel, { assigned: ev.currentTarget.checked })} />
                    <span>{name}</span>
                  </label>
                  {c.assigned && hasCapacity(channel) && (
                    <span class="capacity-field">
                      <span class="field-hint" aria-hidden="true">
                        {t('users.capacity')}
                      </span>
                      <input
                        type="number"
                        min={1}
                        max={MAX_CAPACITY}
                        step={1}
                        value={c.capacity}
                        aria-label={t('users.capacityLabel', { channel: name })}
                        aria-invalid={shown(`capacity.${channel}`) ? true : undefined}
                        aria-describedby={shown(`capacity.${channel}`) ? `user-${channel}-error` : undefined}
                        onInput={(ev) => setChannel(channel, { capacity: ev.currentTarget.value })}
                      />
                      <FieldError id={`user-${channel}-error`} problem={shown(`capacity.${channel}`)} />
                    </span>
                  )}
                  {c.assigned && !hasCapacity(channel) && <span class="field-hint">{t('users.oneCall')}</span>}
                </div>
              );
            })}
          </div>
          {draft.channels.phone.assigned && (
            <div class="field extension-field">
              <label class="field-label" for="user-extension">
                {t('users.extension')}
              </label>
              <input
                id="user-extension"
                type="text"
                inputMode="numeric"
                autocomplete="off"
                maxLength={20}
                value={draft.extension}
                aria-invalid={shown('extension') ? true : undefined}
                aria-describedby="user-extension-hint"
                onInput={(ev) => set({ extension: ev.currentTarget.value })}
              />
              <span id="user-extension-hint" class="field-hint">
                {shown('extension') ? <span class="field-error">{t('users.err.extension')}</span> : t('users.extensionHint')}
              </span>
            </div>
          )}
        </fieldset>

        <fieldset class="fieldset">
          <legend class="field-label">{t('users.groups')}</legend>
          <p class="field-hint">{t('users.groupsHint')}</p>
          {groups.length === 0 ? (
            <p class="muted small">{t('users.noGroups')}</p>
          ) : (
            <div class="check-list">
              {groups.map((g) => (
                <label class="check-field" key={g.id}>
                  <input type="checkbox" checked={draft.groups.includes(g.id)} onChange={(ev) => toggleGroup(g.id, ev.currentTarget.checked)} />
                  <span>{g.name}</span>
                </label>
              ))}
            </div>
          )}
        </fieldset>

        {user !== null && <PasswordLinkMaker user={user} />}

        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {user === null ? t('users.create') : t('admin.save')}
          </button>
          <button type="button" class="btn" disabled={busy} onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}

/** A set-password link for the user, shown once. */
function PasswordLinkMaker({ user }: { user: AdminUser }) {
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  return (
    <div class="fieldset">
      <p class="field-hint">{t('users.linkHint')}</p>
      {link ? (
        <div class="secret-once" role="status">
          <p class="small">{t('users.linkOnce', { name: user.name })}</p>
          <code class="secret-value">{link}</code>
        </div>
      ) : (
        <div>
          <button
            type="button"
            class="btn btn-small"
            onClick={() => {
              setError(null);
              api
                .passwordLink(user.id)
                .then((l) => setLink(l.url))
                .catch((err: unknown) => setError(errorText(err)));
            }}
          >
            {t('users.linkMake')}
          </button>
        </div>
      )}
      <ErrorAlert text={error} />
    </div>
  );
}
