import { useRef, useState } from 'preact/hooks';
import { initials } from '../format';
import { LANGS } from '../i18n';
import { statusChoices, statusLabel, toneOf } from '../status';
import { lang, setLang, t } from '../state/lang';
import { me } from '../state/me';
import { navigate } from '../state/route';
import { logOut } from '../state/session';
import { changeMyStatus, pauseTypes } from '../state/team';
import { StatusDot } from './StatusDot';
import { useDismiss } from './useDismiss';

const ITEM_SELECTOR = '[role="menuitem"],[role="menuitemradio"]';

export function ProfileMenu() {
  const current = me.value;
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuRef = useRef<HTMLDivElement>(null);

  useDismiss(open, setOpen, buttonRef, menuRef, () => {
    const items = Array.from(menuRef.current?.querySelectorAll<HTMLElement>(ITEM_SELECTOR) ?? []);
    const checked = items.find((el) => el.getAttribute('aria-checked') === 'true');
    (checked ?? items[0])?.focus();
  });

  if (!current) return null;
  const l = lang.value;
  const label = statusLabel(current.state, l);
  const tone = toneOf(current.state.presence);
  const choices = statusChoices(current.state, pauseTypes.value, l);

  const close = (focusButton: boolean) => {
    setOpen(false);
    if (focusButton) buttonRef.current?.focus();
  };

  const onMenuKey = (ev: KeyboardEvent) => {
    const menu = menuRef.current;
    if (!menu) return;
    const items = Array.from(menu.querySelectorAll<HTMLElement>(ITEM_SELECTOR));
    const index = items.indexOf(document.activeElement as HTMLElement);
    const focusAt = (i: number) => items[(i + items.length) % items.length]?.focus();
    switch (ev.key) {
      case 'Tab':
        close(false);
        break;
      case 'ArrowDown':
        ev.preventDefault();
        focusAt(index + 1);
        break;
      case 'ArrowUp':
        ev.preventDefault();
        focusAt(index - 1);
        break;
      case 'Home':
        ev.preventDefault();
        focusAt(0);
        break;
      case 'End':
        ev.preventDefault();
        focusAt(items.length - 1);
        break;
    }
  };

  const choose = async (status: 'online' | 'away', pauseTypeId: string | null) => {
    close(true);
    setError(null);
    try {
      await changeMyStatus(status, pauseTypeId);
    } catch (err) {
      setError(t('menu.changeFailed', { message: err instanceof Error ? err.message : String(err) }));
    }
  };

  return (
    <div class="profile">
      <button
        ref={buttonRef}
        type="button"
        class="profile-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls="profile-menu"
        aria-label={t('header.profileButton', { name: current.user.name, status: label })}
        onClick={() => setOpen(!open)}
        onKeyDown={(ev) => {
          if (ev.key === 'ArrowDown' && !open) {
            ev.preventDefault();
            setOpen(true);
          }
        }}
      >
        {/* The initials are drawn by CSS: a picture of the name, not text the button's name must repeat. */}
        <span class="avatar" aria-hidden="true" data-initials={initials(current.user.name)}>
          <StatusDot tone={tone} size="sm" />
        </span>
        <span class="profile-text" aria-hidden="true">
          {/* The space keeps the words apart for tools that read the text (axe, voice control). */}
          <span class="profile-name">{current.user.name}</span>{' '}
          <span class={`profile-status tone-${tone}`}>{label}</span>
        </span>
        <svg class="chevron" viewBox="0 0 16 16" aria-hidden="true">
          <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round" />
        </svg>
      </button>
      {error && (
        <div class="toast toast-error" role="alert">
          {error}
        </div>
      )}
      {open && (
        <div ref={menuRef} id="profile-menu" class="menu" role="menu" aria-label={t('menu.label')} onKeyDown={onMenuKey}>
          <div class="menu-head" aria-hidden="true">
            <div class="menu-head-name">{current.user.name}</div>
            <div class="menu-head-email">{current.user.email}</div>
          </div>
          <div role="group" aria-label={t('menu.status')}>
            <div class="menu-section" aria-hidden="true">
              {t('menu.status')}
            </div>
            {choices.map((choice) => (
              <button
                key={choice.key}
                type="button"
                role="menuitemradio"
                aria-checked={choice.checked}
                tabIndex={-1}
                class={`menu-item${choice.checked ? ' is-checked' : ''}`}
                onClick={() => void choose(choice.request.status, choice.request.pause_type_id)}
              >
                <StatusDot tone={choice.tone} size="sm" />
                <span class="menu-item-label">{choice.label}</span>
                {choice.checked && <Check />}
              </button>
            ))}
          </div>
          <div class="menu-sep" role="separator" />
          <a
            role="menuitem"
            tabIndex={-1}
            class="menu-item"
            href="/profile"
            onClick={(ev) => {
              ev.preventDefault();
              close(false);
              navigate('/profile');
            }}
          >
            <span class="menu-icon" aria-hidden="true">
              <svg viewBox="0 0 16 16">
                <circle cx="8" cy="5.5" r="2.8" fill="none" stroke="currentColor" stroke-width="1.4" />
                <path d="M2.8 14c.6-2.8 2.7-4.2 5.2-4.2s4.6 1.4 5.2 4.2" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" />
              </svg>
            </span>
            <span class="menu-item-label">{t('menu.profile')}</span>
          </a>
          <div class="menu-sep" role="separator" />
          <div role="group" aria-label={t('menu.language')}>
            <div class="menu-section" aria-hidden="true">
              {t('menu.language')}
            </div>
            {LANGS.map((code) => (
              <button
                key={code}
                type="button"
                role="menuitemradio"
                aria-checked={l === code}
                tabIndex={-1}
                lang={code}
                class={`menu-item${l === code ? ' is-checked' : ''}`}
                onClick={() => {
                  setLang(code);
                }}
              >
                <span class="menu-icon lang-code" aria-hidden="true">
                  {code.toUpperCase()}
                </span>
                <span class="menu-item-label">{t(code === 'cs' ? 'lang.cs' : 'lang.en')}</span>
                {l === code && <Check />}
              </button>
            ))}
          </div>
          <div class="menu-sep" role="separator" />
          <button
            type="button"
            role="menuitem"
            tabIndex={-1}
            class="menu-item"
            onClick={() => {
              close(false);
              void logOut();
            }}
          >
            <span class="menu-icon" aria-hidden="true">
              <svg viewBox="0 0 16 16">
                <path d="M6 2.5H3.5a1 1 0 0 0-1 1v9a1 1 0 0 0 1 1H6M10.5 11l3-3-3-3M13.5 8H6" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round" stroke-linejoin="round" />
              </svg>
            </span>
            <span class="menu-item-label">{t('menu.logout')}</span>
          </button>
        </div>
      )}
    </div>
  );
}

function Check() {
  return (
    <svg class="check" viewBox="0 0 16 16" aria-hidden="true">
      <path d="M3.5 8.5l3 3 6-7" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" />
    </svg>
  );
}
