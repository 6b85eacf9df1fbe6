import { ConfirmButton } from './ConfirmButton';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api } from '../api/client';
import { formatSince } from '../format';
import { codeGroups, invitationState, sortInvitations, withInvitation } from '../invitations';
import { encodeQr, qrPath } from '../qr';
import { conversations, queueItems } from '../state/conversations';
import { lang, t } from '../state/lang';
import { me } from '../state/me';
import type { Invitation } from '../types';

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The Invitation tab: invite a client (a dialog with the code, the link and its QR code), my invitations. */
export function InvitationTab() {
  const myId = me.value?.user.id ?? '';
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [list, setList] = useState<Invitation[] | null>(null);
  const [shown, setShown] = useState<Invitation | null>(null);
  const inviteRef = useRef<HTMLButtonElement>(null);

  // Reload when a client arrives through an invitation (its "uses" change) — there is no invitation event.
  const invitedKey = [...queueItems.value.map((s) => s), ...conversations.value.map((c) => c.session)]
    .filter((s) => s.source === 'invitation')
    .map((s) => s.id)
    .sort()
    .join(',');
  useEffect(() => {
    if (!myId) return;
    let cancelled = false;
    api
      .invitations(myId)
      .then((page) => {
        if (!cancelled) setList(page.items);
      })
      .catch((err: unknown) => {
        if (!cancelled) setError(t('inv.loadFailed', { message: errorText(err) }));
      });
    return () => {
      cancelled = true;
    };
  }, [myId, invitedKey]);

  const create = async (ev: Event) => {
    ev.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const inv = await api.createInvitation(label.trim() || null);
      setList((l) => withInvitation(l ?? [], inv));
      setLabel('');
      setShown(inv);
    } catch (err) {
      setError(t('inv.createFailed', { message: errorText(err) }));
    } finally {
      setBusy(false);
    }
  };

  const invalidate = async (inv: Invitation) => {
    setError(null);
    try {
      const done = await api.invalidateInvitation(inv.id);
      setList((l) => withInvitation(l ?? [], done));
    } catch (err) {
      setError(t('inv.invalidateFailed', { message: errorText(err) }));
    }
  };

  const l = lang.value;
  const sorted = list ? sortInvitations(list) : null;
  return (
    <div class="invitations">
      <p class="muted small">{t('inv.hint')}</p>
      {error && (
        <div class="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <form class="invite-form" onSubmit={(ev) => void create(ev)}>
        <label class="field invite-label">
          <span class="field-label">{t('inv.label')}</span>
          <input
            type="text"
            maxLength={200}
            value={label}
            aria-describedby="invite-label-hint"
            onInput={(ev) => setLabel(ev.currentTarget.value)}
          />
          <span id="invite-label-hint" class="muted small">
            {t('inv.labelHint')}
          </span>
        </label>
        <button ref={inviteRef} type="submit" class="btn btn-primary" disabled={busy}>
          {busy ? t('inv.creating') : t('inv.create')}
        </button>
      </form>

      <h2 class="section-title inv-mine-title" id="inv-mine-title">
        {t('inv.mine')}
      </h2>
      {sorted === null ? (
        <p class="muted small">{t('common.loading')}</p>
      ) : sorted.length === 0 ? (
        <p class="muted small">{t('inv.none')}</p>
      ) : (
        <ul class="inv-list" aria-labelledby="inv-mine-title">
          {sorted.map((inv) => {
            const state = invitationState(inv);
            return (
              <li key={inv.id} class={`inv-item is-${state}`}>
                <div class="inv-main">
                  <span class="inv-code">{inv.code}</span>
                  {inv.label && <span class="inv-label-text">{inv.label}</span>}
                  <span class="muted small">
                    {t('inv.created', { time: formatSince(inv.created_at, l) })} · {t('inv.uses', { count: inv.uses })}
                    {inv.reusable && <> · {t('inv.reusable')}</>}
                  </span>
                </div>
                <span class={`tag inv-state inv-state-${state}`}>{t(`inv.state.${state}`)}</span>
                {state === 'pending' && (
                  <ConfirmButton
                    label={t('inv.invalidate')}
                    ariaLabel={t('inv.invalidateLabel', { code: inv.code })}
                    question={t('inv.invalidateQuestion', { code: inv.code })}
                    confirm={t('inv.invalidateConfirm')}
                    cancel={t('inv.invalidateCancel')}
                    buttonClass="btn btn-small"
                    onConfirm={() => void invalidate(inv)}
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {shown && (
        <InvitationDialog
          invitation={shown}
          onClose={() => {
            setShown(null);
            inviteRef.current?.focus();
          }}
        />
      )}
    </div>
  );
}

async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard?.writeText) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch {
    // Denied or not a secure context: the old way below.
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

function InvitationDialog({ invitation, onClose }: { invitation: Invitation; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  const qr = useMemo(() => encodeQr(invitation.url), [invitation.url]);
  const groups = codeGroups(invitation.code);
  const copy = async () => {
    setCopied(await copyText(invitation.url));
  };
  return (
    <dialog
      ref={ref}
      class="inv-dialog"
      aria-labelledby="inv-dialog-title"
      onClose={onClose}
      onCancel={(ev) => {
        ev.preventDefault();
        onClose();
      }}
    >
      <h2 id="inv-dialog-title" class="inv-dialog-title">
        {t('inv.dialogTitle')}
      </h2>
      <div class="inv-dialog-body">
        <div class="inv-dialog-text">
          <p class="field-label">{t('inv.code')}</p>
          <p class="inv-big-code" aria-label={t('inv.codeLabel', { code: invitation.code })}>
            {groups.map((g, i) => (
              <span key={i} class="inv-group">
                {g}
              </span>
            ))}
          </p>
          <label class="field">
            <span class="field-label">{t('inv.url')}</span>
            <input type="text" readOnly value={invitation.url} class="inv-url" onFocus={(ev) => ev.currentTarget.select()} />
          </label>
          <div class="inv-copy-row">
            <button type="button" class="btn" aria-label={t('inv.copyLink')} onClick={() => void copy()}>
              {t('inv.copy')}
            </button>
            <span role="status" class="small muted">
              {copied === true ? t('inv.copied') : copied === false ? t('inv.copyFailed') : ''}
            </span>
          </div>
        </div>
        {qr ? (
          <svg
            class="inv-qr"
            role="img"
            aria-label={t('inv.qr')}
            viewBox={`0 0 ${qr.size + 8} ${qr.size + 8}`}
            shape-rendering="crispEdges"
          >
            <rect width={qr.size + 8} height={qr.size + 8} fill="#fff" />
            <path d={qrPath(qr, 4)} fill="#000" />
          </svg>
        ) : (
          <p class="muted small">{t('inv.qrTooLong')}</p>
        )}
      </div>
      <div class="inv-dialog-foot">
        <button type="button" class="btn btn-primary" onClick={onClose} autoFocus>
          {t('inv.close')}
        </button>
      </div>
    </dialog>
  );
}
