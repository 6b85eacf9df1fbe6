// Administration › Integrations: API keys (created with scopes, the secret shown once, revoked) and
// webhooks (events, the delivery log with a retry for a dead delivery, a new secret shown once,
// pause, delete).

import { useEffect, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import { formatSince } from '../../format';
import { lang, t } from '../../state/lang';
import type { ApiKey, Webhook, WebhookAttempt } from '../../types';
import { ConfirmButton } from '../ConfirmButton';
import { ErrorAlert, failureText } from '../ErrorAlert';

/** The events a webhook may subscribe to (API.md, Webhooks). */
const EVENTS = [
  'session.created',
  'session.offered',
  'session.accepted',
  'session.transferred',
  'session.declined',
  'session.ended',
  'message.created',
  'operator.state_changed',
  'operator.channel_changed',
  'invitation.created',
  'invitation.redeemed',
  'invitation.invalidated',
  'phone.line_changed',
  'phone.call',
] as const;

function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.code === 'private_address') return t('hooks.err.private');
    if (err.code === 'invalid_url') return t('hooks.err.url');
  }
  return failureText(err);
}

export function Integrations() {
  return (
    <>
      <ApiKeys />
      <Webhooks />
    </>
  );
}

/** A secret shown once, with a copy button. */
function Secret({ label, value }: { label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="secret-once" role="status">
      <p class="small">{label}</p>
      <div class="secret-row">
        <code class="secret-value">{value}</code>
        <button
          type="button"
          class="btn btn-small"
          onClick={() => {
            void navigator.clipboard
              ?.writeText(value)
              .then(() => setCopied(true))
              .catch(() => undefined);
          }}
        >
          {copied ? t('keys.copied') : t('keys.copy')}
        </button>
      </div>
    </div>
  );
}

function ApiKeys() {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState('');
  const [scope, setScope] = useState<'admin' | 'telephony'>('admin');
  const [secret, setSecret] = useState<{ name: string; value: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    api
      .apiKeys()
      .then((page) => setKeys(page.items))
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => void load(), []);

  const create = async (ev: Event) => {
    ev.preventDefault();
    const trimmed = name.trim();
    if (!trimmed) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.createApiKey(trimmed, [scope]);
      setSecret({ name: created.name, value: created.secret });
      setName('');
      await load();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async (key: ApiKey) => {
    setError(null);
    try {
      await api.revokeApiKey(key.id);
      if (secret?.name === key.name) setSecret(null);
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const l = lang.value;
  return (
    <section class="card" aria-labelledby="keys-title">
      <h2 id="keys-title" class="section-title">
        {t('keys.title')}
      </h2>
      <p class="muted small">{t('keys.hint')}</p>
      <ErrorAlert text={error} />
      {secret && <Secret label={t('keys.secretOnce', { name: secret.name })} value={secret.value} />}
      {keys === null && !error && <p class="muted">{t('common.loading')}</p>}
      {keys !== null &&
        (keys.length === 0 ? (
          <p class="muted">{t('keys.none')}</p>
        ) : (
          <table class="table" aria-labelledby="keys-title">
            <thead>
              <tr>
                <th scope="col">{t('admin.name')}</th>
                <th scope="col">{t('keys.scope')}</th>
                <th scope="col">{t('keys.created')}</th>
                <th scope="col" class="col-actions">
                  {t('admin.actions')}
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.map((k) => (
                <tr key={k.id}>
                  <th scope="row">{k.name}</th>
                  <td>{k.scopes.length === 0 || k.scopes.includes('admin') ? t('keys.scope.admin') : t('keys.scope.telephony')}</td>
                  <td>{formatSince(k.created_at, l)}</td>
                  <td class="col-actions">
                    <ConfirmButton
                      label={t('keys.revoke')}
                      ariaLabel={t('keys.revokeLabel', { name: k.name })}
                      question={t('keys.revokeQuestion', { name: k.name })}
                      confirm={t('keys.revoke')}
                      cancel={t('admin.cancel')}
                      buttonClass="btn btn-small btn-danger"
                      onConfirm={() => void revoke(k)}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
      <form class="inline-form" onSubmit={(ev) => void create(ev)}>
        <label class="field grow">
          <span class="field-label">{t('keys.newName')}</span>
          <input type="text" value={name} maxLength={100} onInput={(ev) => setName(ev.currentTarget.value)} />
        </label>
        <label class="field">
          <span class="field-label">{t('keys.scope')}</span>
          <select value={scope} onChange={(ev) => setScope(ev.currentTarget.value === 'telephony' ? 'telephony' : 'admin')}>
            <option value="admin">{t('keys.scope.admin')}</option>
            <option value="telephony">{t('keys.scope.telephony')}</option>
          </select>
        </label>
        <button type="submit" class="btn btn-primary" disabled={busy || name.trim() === ''}>
          {t('keys.create')}
        </button>
      </form>
    </section>
  );
}

function Webhooks() {
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState<string[]>(['session.created', 'session.ended']);
  const [secret, setSecret] = useState<{ url: string; value: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    api
      .webhooks()
      .then((page) => setHooks(page.items))
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => void load(), []);

  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      await load();
    } catch (err) {
      setError(errorText(err));
    }
  };

  const create = async (ev: Event) => {
    ev.preventDefault();
    if (!url.trim() || events.length === 0) return;
    setBusy(true);
    await run(async () => {
      const created = await api.createWebhook(url.trim(), events);
      setSecret({ url: created.url, value: created.secret ?? '' });
      setUrl('');
    });
    setBusy(false);
  };

  return (
    <section class="card" aria-labelledby="hooks-title">
      <h2 id="hooks-title" class="section-title">
        {t('hooks.title')}
      </h2>
      <p class="muted small">{t('hooks.hint')}</p>
      <ErrorAlert text={error} />
      {secret && <Secret label={t('hooks.secretOnce', { url: secret.url })} value={secret.value} />}
      {hooks === null && !error && <p class="muted">{t('common.loading')}</p>}
      {hooks !== null && hooks.length === 0 && <p class="muted">{t('hooks.none')}</p>}
      {hooks !== null &&
        hooks.map((h) => (
          <div class="hook" key={h.id} data-hook={h.url}>
            <div class="hook-head">
              <div>
                <p class="hook-url">{h.url}</p>
                <p class="muted small">{h.events.join(', ')}</p>
              </div>
              <div class="hook-actions">
                <span class={`tag ${h.active ? 'tag-ok' : ''}`}>{t(h.active ? 'hooks.active' : 'hooks.paused')}</span>
                <button
                  type="button"
                  class="btn btn-small"
                  aria-expanded={open === h.id}
                  aria-label={t('hooks.logLabel', { url: h.url })}
                  onClick={() => setOpen(open === h.id ? null : h.id)}
                >
                  {t('hooks.log')}
                </button>
                <button type="button" class="btn btn-small" onClick={() => void run(() => api.updateWebhook(h.id, { active: !h.active }))}>
                  {t(h.active ? 'hooks.pause' : 'hooks.resume')}
                </button>
                <ConfirmButton
                  label={t('hooks.rotate')}
                  ariaLabel={t('hooks.rotateLabel', { url: h.url })}
                  question={t('hooks.rotateQuestion')}
                  confirm={t('hooks.rotate')}
                  cancel={t('admin.cancel')}
                  buttonClass="btn btn-small"
                  onConfirm={() =>
                    void run(async () => {
                      const rotated = await api.rotateWebhookSecret(h.id);
                      setSecret({ url: rotated.url, value: rotated.secret ?? '' });
                    })
                  }
                />
                <ConfirmButton
                  label={t('admin.delete')}
                  ariaLabel={t('hooks.deleteLabel', { url: h.url })}
                  question={t('hooks.deleteQuestion')}
                  confirm={t('admin.delete')}
                  cancel={t('admin.cancel')}
                  buttonClass="btn btn-small btn-danger"
                  onConfirm={() => void run(() => api.deleteWebhook(h.id))}
                />
              </div>
            </div>
            {open === h.id && <DeliveryLog hook={h} onError={setError} />}
          </div>
        ))}
      <form class="form hook-form" onSubmit={(ev) => void create(ev)}>
        <label class="field">
          <span class="field-label">{t('hooks.url')}</span>
          <input type="url" value={url} maxLength={2000} placeholder="https://" onInput={(ev) => setUrl(ev.currentTarget.value)} />
        </label>
        <fieldset class="fieldset">
          <legend class="field-label">{t('hooks.events')}</legend>
          <div class="check-list">
            {EVENTS.map((e) => (
              <label class="check-field" key={e}>
                <input
                  type="checkbox"
                  checked={events.includes(e)}
                  onChange={(ev) => {
                    const on = ev.currentTarget.checked;
                    setEvents((list) => (on ? [...list, e] : list.filter((x) => x !== e)));
                  }}
                />
                <code>{e}</code>
              </label>
            ))}
          </div>
        </fieldset>
        <div class="form-actions">
          <button type="submit" class="btn btn-primary" disabled={busy || url.trim() === '' || events.length === 0}>
            {t('hooks.create')}
          </button>
        </div>
      </form>
    </section>
  );
}

function DeliveryLog({ hook, onError }: { hook: Webhook; onError: (message: string) => void }) {
  const [items, setItems] = useState<WebhookAttempt[] | null>(null);
  const load = () =>
    api
      .webhookDeliveries(hook.id)
      .then((page) => setItems(page.items))
      .catch((err: unknown) => onError(errorText(err)));
  useEffect(() => void load(), [hook.id]);
  const l = lang.value;
  if (items === null) return <p class="muted small">{t('common.loading')}</p>;
  if (items.length === 0) return <p class="muted small">{t('hooks.noDeliveries')}</p>;
  return (
    <table class="table hook-log" aria-label={t('hooks.logLabel', { url: hook.url })}>
      <thead>
        <tr>
          <th scope="col">{t('hooks.when')}</th>
          <th scope="col">{t('hooks.event')}</th>
          <th scope="col">{t('hooks.outcome')}</th>
          <th scope="col">{t('hooks.answer')}</th>
          <th scope="col" class="col-actions">
            {t('admin.actions')}
          </th>
        </tr>
      </thead>
      <tbody>
        {items.slice(0, 50).map((a) => (
          <tr key={a.id}>
            <td>{formatSince(a.attempted_at, l)}</td>
            <td>
              <code>{a.event_type}</code> <span class="muted small">#{a.attempt}</span>
            </td>
            <td>
              <span class={`tag ${a.outcome === 'delivered' ? 'tag-ok' : a.outcome === 'dead' ? 'tag-bad' : ''}`}>
                {t(a.outcome === 'delivered' ? 'hooks.delivered' : a.outcome === 'dead' ? 'hooks.dead' : 'hooks.failed')}
              </span>
            </td>
            <td class="small">{a.status_code ?? a.error ?? ''}</td>
            <td class="col-actions">
              {a.outcome === 'dead' && (
                <button
                  type="button"
                  class="btn btn-small"
                  onClick={() => {
                    void api
                      .retryDelivery(hook.id, a.id)
                      .then(() => load())
                      .catch((err: unknown) => onError(errorText(err)));
                  }}
                >
                  {t('hooks.retry')}
                </button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
