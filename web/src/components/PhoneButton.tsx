import { useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../api/client';
import { cleanNumber, dialProblem, dialable, lineText } from '../phone';
import { t } from '../state/lang';
import { myPhoneLine } from '../state/phoneLine';
import { useDismiss } from './useDismiss';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/** The handset icon (decorative: its button or label says what it means). */
export function Handset({ class: cls = 'handset-icon' }: { class?: string }) {
  return (
    <svg class={cls} viewBox="0 0 24 24" aria-hidden="true">
      <path
        fill="currentColor"
        d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.6a1 1 0 0 1-.25 1z"
      />
    </svg>
  );
}

/** The header's handset: the phone line's state (green = ready), and the dial pad behind it. */
export function PhoneButton() {
  const line = myPhoneLine.value;
  const [open, setOpen] = useState(false);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const padRef = useRef<HTMLDivElement>(null);

  useDismiss(open, setOpen, buttonRef, padRef, () => {
    padRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  });

  if (!line) return null;
  const text = lineText(line, t);
  const ready = line.state === 'ready';
  return (
    <div class="phone">
      <button
        ref={buttonRef}
        type="button"
        class={`handset ${ready ? 'is-ready' : 'is-unavailable'}`}
        aria-label={text}
        title={text}
        aria-haspopup="dialog"
        aria-expanded={open}
        data-state={line.state}
        onClick={() => setOpen(!open)}
      >
        <Handset />
      </button>
      {open && (
        <div ref={padRef} class="menu dial-pad" role="dialog" aria-label={t('phone.pad')}>
          <DialPad lineText={text} ready={ready} />
        </div>
      )}
    </div>
  );
}

function DialPad({ lineText: text, ready }: { lineText: string; ready: boolean }) {
  const [number, setNumber] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const inputRef = useRef<HTMLInputElement>(null);

  const press = (key: string) => {
    setNumber((n) => cleanNumber(key === '+' ? (n === '' ? '+' : n) : n + key));
    const input = inputRef.current;
    input?.focus();
    // Keep the end of a long number in view (a key press does not move the caret there).
    requestAnimationFrame(() => {
      if (input) {
        input.setSelectionRange(input.value.length, input.value.length);
        input.scrollLeft = input.scrollWidth;
      }
    });
  };
  const call = async (ev: Event) => {
    ev.preventDefault();
    if (busy || !dialable(number)) return;
    setBusy(true);
    setMessage(null);
    try {
      await api.dial(number);
      setMessage({ kind: 'ok', text: t('phone.calling', { number }) });
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      const code = err instanceof ApiError ? err.code : 'network';
      const problem = dialProblem(status, code);
      setMessage({ kind: 'error', text: t(problem, { message: err instanceof Error ? err.message : String(err) }) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="dial-form" onSubmit={(ev) => void call(ev)}>
      <p class={`dial-line small ${ready ? 'tone-online' : 'muted'}`}>{text}</p>
      <div class="dial-input-row">
        <input
          ref={inputRef}
          type="tel"
          inputMode="tel"
          autoComplete="off"
          class="dial-input"
          aria-label={t('phone.number')}
          value={number}
          onInput={(ev) => setNumber(cleanNumber(ev.currentTarget.value))}
        />
        <button type="button" class="btn btn-small" aria-label={t('phone.plus')} disabled={number !== ''} onClick={() => press('+')}>
          +
        </button>
        <button
          type="button"
          class="btn btn-small"
          aria-label={t('phone.backspace')}
          disabled={number === ''}
          onClick={() => setNumber((n) => n.slice(0, -1))}
        >
          <span aria-hidden="true">⌫</span>
        </button>
      </div>
      <div class="dial-keys">
        {KEYS.map((k) => (
          <button key={k} type="button" class="btn dial-key" aria-label={t('phone.key', { key: k })} onClick={() => press(k)}>
            {k}
          </button>
        ))}
      </div>
      {message && (
        <p class={`small ${message.kind === 'error' ? 'alert alert-error' : 'muted'}`} role={message.kind === 'error' ? 'alert' : 'status'}>
          {message.text}
        </p>
      )}
      <button type="submit" class="btn btn-primary btn-block dial-call" disabled={busy || !dialable(number)}>
        {t('phone.call')}
      </button>
    </form>
  );
}
