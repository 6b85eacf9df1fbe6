// Managing canned answers: the company's (Administration) or my own (Profile). Each has a
// shortcut the composer knows (`/price`), an optional title and a text that may name the client
// and the operator.

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api/client';
import type { CannedItem } from '../canned';
import { t } from '../state/lang';
import { myId } from '../state/me';
import { ConfirmButton } from './ConfirmButton';
import { ErrorAlert, failureText } from './ErrorAlert';

type Editing = { id: string | null; shortcut: string; title: string; text: string };
const EMPTY: Editing = { id: null, shortcut: '', title: '', text: '' };

/** `company`: the company's answers (admins); else the signed-in user's own. */
export function CannedAnswers({ company }: { company: boolean }) {
  const [items, setItems] = useState<CannedItem[] | null>(null);
  const [editing, setEditing] = useState<Editing>(EMPTY);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const titleId = company ? 'canned-company-title' : 'canned-mine-title';

  const load = async () => {
    try {
      const all = (await api.cannedAnswers()).items;
      const me = myId();
      setItems(all.filter((a) => (company ? a.owner_id === null : a.owner_id === me)));
    } catch (err) {
      setError(failureText(err));
    }
  };
  useEffect(() => {
    void load();
  }, [company]);

  const save = async (ev: Event) => {
    ev.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const title = editing.title.trim();
      if (editing.id) {
        await api.updateCannedAnswer(editing.id, { shortcut: editing.shortcut, title, text: editing.text });
      } else {
        await api.createCannedAnswer({ shortcut: editing.shortcut, text: editing.text, company, ...(title ? { title } : {}) });
      }
      setEditing(EMPTY);
      await load();
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  const remove = async (id: string) => {
    setBusy(true);
    setError(null);
    try {
      await api.deleteCannedAnswer(id);
      if (editing.id === id) setEditing(EMPTY);
      await load();
    } catch (err) {
      setError(failureText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card canned-card" aria-labelledby={titleId}>
      <h2 id={titleId} class="section-title">
        {t(company ? 'canned.companyTitle' : 'canned.mineTitle')}
      </h2>
      <p class="muted small">{t('canned.hint')}</p>
      <ErrorAlert text={error} />
      {items === null ? (
        <p class="muted">{t('common.loading')}</p>
      ) : items.length === 0 ? (
        <p class="muted">{t('canned.none')}</p>
      ) : (
        <ul class="canned-manage" aria-labelledby={titleId}>
          {items.map((a) => (
            <li key={a.id} class="canned-row">
              <div class="canned-row-text">
                <span class="canned-shortcut">/{a.shortcut}</span>
                {a.title && <strong> {a.title}</strong>}
                <p class="muted small canned-preview">{a.text}</p>
              </div>
              <div class="canned-row-actions">
                <button
                  type="button"
                  class="btn btn-small"
                  aria-label={t('canned.editNamed', { shortcut: a.shortcut })}
                  onClick={() => setEditing({ id: a.id, shortcut: a.shortcut, title: a.title ?? '', text: a.text })}
                >
                  {t('canned.edit')}
                </button>
                <ConfirmButton
                  label={t('canned.delete')}
                  ariaLabel={t('canned.deleteNamed', { shortcut: a.shortcut })}
                  question={t('canned.deleteQuestion', { shortcut: a.shortcut })}
                  confirm={t('canned.deleteConfirm')}
                  cancel={t('end.cancel')}
                  disabled={busy}
                  buttonClass="btn btn-small btn-danger"
                  onConfirm={() => void remove(a.id)}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
      <form class="form canned-form" onSubmit={(ev) => void save(ev)} aria-label={t(editing.id ? 'canned.editForm' : 'canned.newForm')}>
        <div class="inline-form">
          <label class="field">
            <span class="field-label">{t('canned.shortcut')}</span>
            <input
              type="text"
              value={editing.shortcut}
              maxLength={33}
              required
              onInput={(ev) => setEditing({ ...editing, shortcut: ev.currentTarget.value })}
            />
          </label>
          <label class="field grow">
            <span class="field-label">{t('canned.title')}</span>
            <input type="text" value={editing.title} maxLength={100} onInput={(ev) => setEditing({ ...editing, title: ev.currentTarget.value })} />
          </label>
        </div>
        <label class="field">
          <span class="field-label">{t('canned.text')}</span>
          <textarea rows={3} value={editing.text} maxLength={4000} required onInput={(ev) => setEditing({ ...editing, text: ev.currentTarget.value })} />
        </label>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || editing.shortcut.trim() === '' || editing.text.trim() === ''}>
            {t(editing.id ? 'canned.saveChanges' : 'canned.add')}
          </button>
          {editing.id && (
            <button type="button" class="btn" onClick={() => setEditing(EMPTY)}>
              {t('canned.cancelEdit')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
