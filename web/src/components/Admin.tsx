import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import { t } from '../state/lang';
import { isAdmin } from '../state/me';
import { movedPosition, pauseRows } from '../admin/pauseOrder';
import { loadPauseTypes, pauseTypes } from '../state/team';
import type { AdminRoute } from '../state/route';
import type { CompanySettings, FileKind, PauseType } from '../types';
import { Groups } from './admin/Groups';
import { CannedAnswers } from './CannedAnswers';
import { Inboxes } from './admin/Inboxes';
import { Integrations } from './admin/Integrations';
import { WidgetSnippet } from './admin/WidgetSnippet';
import { Users } from './admin/Users';
import { ErrorAlert, failureText } from './ErrorAlert';
import { NavLink } from './Header';

export function Admin({ section }: { section: AdminRoute }) {
  if (!isAdmin.value) {
    return (
      <main class="page">
        <section class="card">
          <p>{t('admin.forbidden')}</p>
        </section>
      </main>
    );
  }
  return (
    <main class="page admin-page">
      <h1 class="page-title">{t('admin.title')}</h1>
      <nav class="subnav" aria-label={t('admin.nav')}>
        <NavLink to="/admin" label={t('admin.navCompany')} active={section === '/admin'} />
        <NavLink to="/admin/users" label={t('admin.navUsers')} active={section === '/admin/users'} />
        <NavLink to="/admin/groups" label={t('admin.navGroups')} active={section === '/admin/groups'} />
        <NavLink to="/admin/inboxes" label={t('admin.navInboxes')} active={section === '/admin/inboxes'} />
        <NavLink to="/admin/canned" label={t('admin.navCanned')} active={section === '/admin/canned'} />
        <NavLink to="/admin/integrations" label={t('admin.navIntegrations')} active={section === '/admin/integrations'} />
        <NavLink to="/admin/widget" label={t('admin.navWidget')} active={section === '/admin/widget'} />
      </nav>
      {section === '/admin/users' ? (
        <Users />
      ) : section === '/admin/groups' ? (
        <Groups />
      ) : section === '/admin/inboxes' ? (
        <Inboxes />
      ) : section === '/admin/canned' ? (
        <CannedAnswers company />
      ) : section === '/admin/integrations' ? (
        <Integrations />
      ) : section === '/admin/widget' ? (
        <WidgetSnippet />
      ) : (
        <>
          <PauseTypes />
          <Settings />
        </>
      )}
    </main>
  );
}

function PauseTypes() {
  const [name, setName] = useState('');
  const [paid, setPaid] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      await loadPauseTypes();
      return true;
    } catch (err) {
      setError(failureText(err));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const add = async (ev: Event) => {
    ev.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    if (await run(() => api.createPauseType(trimmed, paid))) {
      setName('');
      setPaid(false);
    }
  };

  const items = pauseRows(pauseTypes.value);
  return (
    <section class="card" aria-labelledby="pause-title">
      <h2 id="pause-title" class="section-title">
        {t('admin.pauseTypes')}
      </h2>
      <p class="muted small">{t('admin.pauseTypesHint')}</p>
      <ErrorAlert text={error} />
      <table class="table" aria-labelledby="pause-title">
        <thead>
          <tr>
            <th scope="col">{t('admin.name')}</th>
            <th scope="col">{t('admin.paid')}</th>
            <th scope="col">{t('admin.state')}</th>
            <th scope="col" class="col-actions">
              {t('admin.actions')}
            </th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <PauseRow
              key={p.id}
              pause={p}
              up={movedPosition(items, p.id, -1)}
              down={movedPosition(items, p.id, 1)}
              busy={busy}
              run={run}
            />
          ))}
        </tbody>
      </table>
      <form class="inline-form" onSubmit={(ev) => void add(ev)}>
        <label class="field grow">
          <span class="field-label">{t('admin.newPause')}</span>
          <input type="text" value={name} maxLength={80} onInput={(ev) => setName(ev.currentTarget.value)} />
        </label>
        <label class="check-field">
          <input type="checkbox" checked={paid} onChange={(ev) => setPaid(ev.currentTarget.checked)} />
          <span>{t('admin.paid')}</span>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || name.trim() === ''}>
          {t('admin.add')}
        </button>
      </form>
    </section>
  );
}

function PauseRow({
  pause,
  up,
  down,
  busy,
  run,
}: {
  pause: PauseType;
  /** The position that moves it one place up or down; null at the end. */
  up: number | null;
  down: number | null;
  busy: boolean;
  run: (action: () => Promise<unknown>) => Promise<boolean>;
}) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(pause.name);
  const save = async (ev: Event) => {
    ev.preventDefault();
    const trimmed = draft.trim();
    if (!trimmed || trimmed === pause.name) {
      setEditing(false);
      return;
    }
    if (await run(() => api.updatePauseType(pause.id, { name: trimmed }))) setEditing(false);
  };
  return (
    <tr class={pause.archived ? 'is-archived' : ''}>
      <td>
        {editing ? (
          <form class="row-form" onSubmit={(ev) => void save(ev)}>
            <input
              type="text"
              value={draft}
              maxLength={80}
              aria-label={t('admin.renameLabel', { name: pause.name })}
              onInput={(ev) => setDraft(ev.currentTarget.value)}
              onKeyDown={(ev) => {
                if (ev.key === 'Escape') {
                  setDraft(pause.name);
                  setEditing(false);
                }
              }}
              ref={(el) => el?.focus()}
            />
            <button type="submit" class="btn btn-small btn-primary" disabled={busy}>
              {t('admin.save')}
            </button>
            <button type="button" class="btn btn-small" onClick={() => setEditing(false)}>
              {t('admin.cancel')}
            </button>
          </form>
        ) : (
          <span class="pause-name">{pause.name}</span>
        )}
      </td>
      <td>
        <input
          type="checkbox"
          checked={pause.paid}
          disabled={busy || pause.archived}
          aria-label={t('admin.paidLabel', { name: pause.name })}
          onChange={(ev) => {
            const value = ev.currentTarget.checked;
            void run(() => api.updatePauseType(pause.id, { paid: value }));
          }}
        />
      </td>
      <td>
        <span class={`tag ${pause.archived ? '' : 'tag-ok'}`}>{t(pause.archived ? 'admin.archived' : 'admin.active')}</span>
      </td>
      <td class="col-actions">
        {!pause.archived && !editing && (
          <>
            <button
              type="button"
              class="btn btn-small btn-move"
              disabled={busy || up === null}
              aria-label={t('admin.moveUp', { name: pause.name })}
              title={t('admin.moveUp', { name: pause.name })}
              onClick={() => up !== null && void run(() => api.updatePauseType(pause.id, { position: up }))}
            >
              ↑
            </button>
            <button
              type="button"
              class="btn btn-small btn-move"
              disabled={busy || down === null}
              aria-label={t('admin.moveDown', { name: pause.name })}
              title={t('admin.moveDown', { name: pause.name })}
              onClick={() => down !== null && void run(() => api.updatePauseType(pause.id, { position: down }))}
            >
              ↓
            </button>
            <button
              type="button"
              class="btn btn-small"
              disabled={busy}
              onClick={() => {
                setDraft(pause.name);
                setEditing(true);
              }}
            >
              {t('admin.rename')}
            </button>
            <button
              type="button"
              class="btn btn-small btn-danger"
              disabled={busy}
              onClick={() => void run(() => api.deletePauseType(pause.id))}
            >
              {t('admin.delete')}
            </button>
          </>
        )}
      </td>
    </tr>
  );
}

/** A whole number of seconds within the server's limits for one setting. */
/** A whole number in a range (seconds, or megabytes). */
function NumberField(props: {
  label: string;
  hint: string;
  min: number;
  max: number;
  value: string;
  onInput: (value: string) => void;
}) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      <input
        type="number"
        min={props.min}
        max={props.max}
        step={1}
        required
        value={props.value}
        onInput={(ev) => props.onInput(ev.currentTarget.value)}
      />
      <span class="field-hint">{props.hint}</span>
    </label>
  );
}

const FILE_KINDS: readonly FileKind[] = ['images', 'pdf', 'office', 'text'];

function Settings() {
  const [settings, setSettings] = useState<CompanySettings | null>(null);
  const [afterLogin, setAfterLogin] = useState<'online' | 'away'>('online');
  const [grace, setGrace] = useState('60');
  const [offerTimeout, setOfferTimeout] = useState('30');
  const [clientGone, setClientGone] = useState('60');
  const [awayOnMissed, setAwayOnMissed] = useState(true);
  const [mayToggle, setMayToggle] = useState(true);
  const [ratings, setRatings] = useState(true);
  const [fileKinds, setFileKinds] = useState<FileKind[]>([]);
  const [fileMaxMb, setFileMaxMb] = useState('10');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);

  const show = (s: CompanySettings) => {
    setSettings(s);
    setAfterLogin(s.status_after_login);
    setGrace(String(s.disconnect_grace_s));
    setOfferTimeout(String(s.offer_timeout_s));
    setClientGone(String(s.client_gone_s));
    setAwayOnMissed(s.away_on_missed_offer);
    setMayToggle(s.operators_may_toggle_channels);
    setRatings(s.ratings_enabled);
    setFileKinds(s.chat_file_kinds);
    setFileMaxMb(String(s.chat_file_max_mb));
  };

  useEffect(() => {
    api
      .companySettings()
      .then(show)
      .catch((err: unknown) => setError(failureText(err)));
  }, []);

  const edited = (set: (value: string) => void) => (value: string) => {
    set(value);
    setSaved(false);
  };

  const save = async (ev: Event) => {
    ev.preventDefault();
    const seconds = [grace, offerTimeout, clientGone].map((v) => Number.parseInt(v, 10));
    const [graceS, offerS, goneS] = seconds;
    if (graceS === undefined || offerS === undefined || goneS === undefined) return;
    if (seconds.some((n) => !Number.isFinite(n))) return;
    const maxMb = Number.parseInt(fileMaxMb, 10);
    if (!Number.isFinite(maxMb)) return;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      show(
        await api.updateCompanySettings({
          status_after_login: afterLogin,
          disconnect_grace_s: graceS,
          offer_timeout_s: offerS,
          client_gone_s: goneS,
          away_on_missed_offer: awayOnMissed,
          operators_may_toggle_channels: mayToggle,
          ratings_enabled: ratings,
          chat_file_kinds: fileKinds,
          chat_file_max_mb: maxMb,
        }),
      );
      setSaved(true);
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card" aria-labelledby="settings-title">
      <h2 id="settings-title" class="section-title">
        {t('admin.settings')}
      </h2>
      <ErrorAlert text={error} />
      {!settings && !error && <p class="muted">{t('common.loading')}</p>}
      {settings && (
        <form class="form settings-form" onSubmit={(ev) => void save(ev)}>
          <label class="field">
            <span class="field-label">{t('admin.statusAfterLogin')}</span>
            <select
              value={afterLogin}
              onChange={(ev) => setAfterLogin(ev.currentTarget.value === 'away' ? 'away' : 'online')}
            >
              <option value="online">{t('status.online')}</option>
              <option value="away">{t('status.away')}</option>
            </select>
          </label>
          <NumberField
            label={t('admin.grace')}
            hint={t('admin.graceHint')}
            min={1}
            max={3600}
            value={grace}
            onInput={edited(setGrace)}
          />
          <NumberField
            label={t('admin.offerTimeout')}
            hint={t('admin.offerTimeoutHint')}
            min={5}
            max={600}
            value={offerTimeout}
            onInput={edited(setOfferTimeout)}
          />
          <label class="check-field">
            <input
              type="checkbox"
              checked={awayOnMissed}
              onChange={(ev) => {
                setAwayOnMissed(ev.currentTarget.checked);
                setSaved(false);
              }}
            />
            <span>
              {t('admin.awayOnMissed')} <span class="field-hint">{t('admin.awayOnMissedHint')}</span>
            </span>
          </label>
          <NumberField
            label={t('admin.clientGone')}
            hint={t('admin.clientGoneHint')}
            min={5}
            max={3600}
            value={clientGone}
            onInput={edited(setClientGone)}
          />
          <label class="check-field">
            <input
              type="checkbox"
              checked={mayToggle}
              onChange={(ev) => {
                setMayToggle(ev.currentTarget.checked);
                setSaved(false);
              }}
            />
            <span>{t('admin.mayToggle')}</span>
          </label>
          <label class="check-field">
            <input
              type="checkbox"
              checked={ratings}
              onChange={(ev) => {
                setRatings(ev.currentTarget.checked);
                setSaved(false);
              }}
            />
            <span>{t('admin.ratings')}</span>
          </label>
          <fieldset class="field">
            <legend class="field-label">{t('admin.chatFiles')}</legend>
            <span class="field-hint">{t('admin.chatFilesHint')}</span>
            {FILE_KINDS.map((kind) => (
              <label key={kind} class="check-field">
                <input
                  type="checkbox"
                  checked={fileKinds.includes(kind)}
                  onChange={(ev) => {
                    const on = ev.currentTarget.checked;
                    setFileKinds((now) => (on ? [...now.filter((k) => k !== kind), kind] : now.filter((k) => k !== kind)));
                    setSaved(false);
                  }}
                />
                <span>{t(`admin.fileKind.${kind}`)}</span>
              </label>
            ))}
          </fieldset>
          <NumberField
            label={t('admin.chatFileMaxMb')}
            hint={t('admin.chatFileMaxMbHint')}
            min={1}
            max={25}
            value={fileMaxMb}
            onInput={edited(setFileMaxMb)}
          />
          <div class="form-actions">
            <button type="submit" class="btn btn-primary" disabled={busy}>
              {t('admin.save')}
            </button>
            {saved && (
              <span class="saved" role="status">
                {t('admin.saved')}
              </span>
            )}
          </div>
        </form>
      )}
    </section>
  );
}
