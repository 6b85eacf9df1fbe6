// Administration › Groups: the routing targets. A client sent to a group is offered only to its
// members; a queue limit turns new clients away while that many wait. The built-in "All operators"
// holds everyone and stays.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import { adminGroups, adminUsers, loadAdmin, loadAdminGroups } from '../../state/admin';
import { t } from '../../state/lang';
import type { Group, GroupStrategy } from '../../types';

const STRATEGIES: readonly GroupStrategy[] = ['longest_idle', 'broadcast'];
import { ConfirmButton } from '../ConfirmButton';
import { ListHead } from './ListHead';
import { ErrorAlert, failureText } from '../ErrorAlert';

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'group_has_queue') return t('groups.err.hasQueue');
    if (err.code === 'unknown_member') return t('groups.err.unknownMember');
  }
  return failureText(err);
}

type Editing = null | 'new' | Group;

export function Groups() {
  const [editing, setEditing] = useState<Editing>(null);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    loadAdmin()
      .then(() => setLoaded(true))
      .catch((err: unknown) => setError(errorText(err)));
  }, []);

  const remove = async (group: Group) => {
    setError(null);
    setNotice(null);
    try {
      await api.deleteGroup(group.id);
      await loadAdminGroups();
      setNotice(t('groups.deleted', { name: group.name }));
    } catch (err) {
      setError(errorText(err));
    }
  };

  const memberNames = (group: Group) => {
    if (group.builtin) return t('groups.everyone');
    const names = adminUsers.value.filter((u) => group.members.includes(u.id)).map((u) => u.name);
    return names.length > 0 ? names.join(', ') : t('groups.noMembers');
  };

  return (
    <>
      {editing !== null && (
        <GroupForm
          key={editing === 'new' ? 'new' : editing.id}
          group={editing === 'new' ? null : editing}
          onDone={(message) => {
            setEditing(null);
            setNotice(message);
          }}
          onCancel={() => setEditing(null)}
        />
      )}
      <section class="card" aria-labelledby="groups-title">
        <ListHead
          titleId="groups-title"
          title={t('groups.title')}
          hint={t('groups.hint')}
          newLabel={t('groups.new')}
          onNew={
            editing === null
              ? () => {
                  setNotice(null);
                  setEditing('new');
                }
              : null
          }
          notice={notice}
          error={error}
        />
        {!loaded && !error && <p class="muted">{t('common.loading')}</p>}
        {loaded && (
          <table class="table" aria-labelledby="groups-title">
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('groups.members')}</th>
                <th scope="col">{t('groups.strategy')}</th>
                <th scope="col">{t('groups.maxQueue')}</th>
                <th scope="col" class="col-actions">
                  {t('admin.actions')}
                </th>
              </tr>
            </thead>
            <tbody>
              {adminGroups.value.map((g) => (
                <tr key={g.id} data-group={g.name}>
                  <th scope="row">
                    {g.name} {g.builtin && <span class="tag">{t('groups.builtin')}</span>}
                  </th>
                  <td>{memberNames(g)}</td>
                  <td>{t(`groups.strategy.${g.strategy}`)}</td>
                  <td>{g.max_queue ?? <span class="muted">{t('groups.noLimit')}</span>}</td>
                  <td class="col-actions">
                    <button
                      type="button"
                      class="btn btn-small"
                      aria-label={t('groups.editLabel', { name: g.name })}
                      onClick={() => {
                        setNotice(null);
                        setEditing(g);
                      }}
                    >
                      {t('users.edit')}
                    </button>
                    {!g.builtin && (
                      <ConfirmButton
                        label={t('admin.delete')}
                        ariaLabel={t('groups.deleteLabel', { name: g.name })}
                        question={t('groups.deleteQuestion', { name: g.name })}
                        confirm={t('admin.delete')}
                        cancel={t('admin.cancel')}
                        buttonClass="btn btn-small btn-danger"
                        onConfirm={() => void remove(g)}
                      />
                    )}
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

function GroupForm({ group, onDone, onCancel }: { group: Group | null; onDone: (notice: string) => void; onCancel: () => void }) {
  const [name, setName] = useState(group?.name ?? '');
  const [maxQueue, setMaxQueue] = useState(group?.max_queue == null ? '' : String(group.max_queue));
  const [members, setMembers] = useState<string[]>(group?.members ?? []);
  const [strategy, setStrategy] = useState<GroupStrategy>(group?.strategy ?? 'longest_idle');
  const [afterChat, setAfterChat] = useState(String(group?.after_chat_s ?? 0));
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [showProblems, setShowProblems] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);
  useEffect(() => nameRef.current?.focus(), []);

  const builtin = group?.builtin ?? false;
  const limit = maxQueue.trim() === '' ? null : Number(maxQueue);
  const limitBad = limit !== null && (!Number.isInteger(limit) || limit < 1 || limit > 100000);
  const nameBad = !builtin && name.trim() === '';
  const afterChatS = Number(afterChat.trim() === '' ? 'x' : afterChat);
  const afterChatBad = !Number.isInteger(afterChatS) || afterChatS < 0 || afterChatS > 600;

  const submit = async (ev: Event) => {
    ev.preventDefault();
    if (limitBad || nameBad || afterChatBad) {
      setShowProblems(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (group === null) {
        await api.createGroup({
          name: name.trim(),
          members,
          strategy,
          after_chat_s: afterChatS,
          ...(limit !== null ? { max_queue: limit } : {}),
        });
      } else if (builtin) {
        await api.updateGroup(group.id, { max_queue: limit, strategy, after_chat_s: afterChatS });
      } else {
        await api.updateGroup(group.id, { name: name.trim(), members, max_queue: limit, strategy, after_chat_s: afterChatS });
      }
      await loadAdminGroups();
      onDone(group === null ? t('groups.created', { name: name.trim() }) : t('admin.saved'));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="group-form-title">
      <h2 id="group-form-title" class="section-title">
        {group === null ? t('groups.newTitle') : t('groups.editTitle', { name: group.name })}
      </h2>
      <ErrorAlert text={error} />
      <form class="form" noValidate onSubmit={(ev) => void submit(ev)}>
        <div class="form-grid">
          {!builtin && (
            <label class="field">
              <span class="field-label">{t('admin.name')}</span>
              <input
                ref={nameRef}
                type="text"
                maxLength={100}
                value={name}
                aria-invalid={showProblems && nameBad ? true : undefined}
                onInput={(ev) => setName(ev.currentTarget.value)}
              />
              {showProblems && nameBad && <span class="field-error">{t('users.err.name')}</span>}
            </label>
          )}
          <label class="field">
            <span class="field-label">{t('groups.strategy')}</span>
            <select value={strategy} onChange={(ev) => setStrategy(STRATEGIES.find((x) => x === ev.currentTarget.value) ?? 'longest_idle')}>
              {STRATEGIES.map((x) => (
                <option key={x} value={x}>
                  {t(`groups.strategy.${x}`)}
                </option>
              ))}
            </select>
            <span class="field-hint">{t(`groups.strategyHint.${strategy}`)}</span>
          </label>
          <label class="field">
            <span class="field-label">{t('groups.maxQueue')}</span>
            <input
              type="number"
              min={1}
              step={1}
              value={maxQueue}
              aria-invalid={showProblems && limitBad ? true : undefined}
              aria-describedby="group-limit-hint"
              onInput={(ev) => setMaxQueue(ev.currentTarget.value)}
            />
            <span id="group-limit-hint" class="field-hint">
              {showProblems && limitBad ? <span class="field-error">{t('groups.err.maxQueue')}</span> : t('groups.maxQueueHint')}
            </span>
          </label>
          <label class="field">
            <span class="field-label">{t('groups.afterChat')}</span>
            <input
              type="number"
              min={0}
              max={600}
              step={1}
              value={afterChat}
              aria-invalid={showProblems && afterChatBad ? true : undefined}
              aria-describedby="group-after-chat-hint"
              onInput={(ev) => setAfterChat(ev.currentTarget.value)}
            />
            <span id="group-after-chat-hint" class="field-hint">
              {showProblems && afterChatBad ? <span class="field-error">{t('groups.err.afterChat')}</span> : t('groups.afterChatHint')}
            </span>
          </label>
        </div>
        {builtin ? (
          <p class="muted small">{t('groups.builtinHint')}</p>
        ) : (
          <fieldset class="fieldset">
            <legend class="field-label">{t('groups.members')}</legend>
            <div class="check-list">
              {adminUsers.value.map((u) => (
                <label class="check-field" key={u.id}>
                  <input
                    type="checkbox"
                    checked={members.includes(u.id)}
                    onChange={(ev) => {
                      const on = ev.currentTarget.checked;
                      setMembers((m) => (on ? [...m, u.id] : m.filter((id) => id !== u.id)));
                    }}
                  />
                  <span>
                    {u.name} <span class="muted small">{t(`role.${u.role}`)}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy}>
            {group === null ? t('groups.create') : t('admin.save')}
          </button>
          <button type="button" class="btn" disabled={busy} onClick={onCancel}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
    </section>
  );
}
