import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * A button for an act that cannot be undone (End, Invalidate): the first click asks, in place, and
 * only the second does it. Escape or "cancel" puts the button back; the focus goes to the question's
 * safe answer, so Enter pressed twice by mistake does not do it.
 */
export function ConfirmButton(props: {
  label: string;
  /** The button's accessible name, when the label alone does not say what it acts on. */
  ariaLabel?: string;
  question: string;
  confirm: string;
  cancel: string;
  disabled?: boolean;
  buttonClass?: string;
  onConfirm: () => void;
}) {
  const [asking, setAsking] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) cancelRef.current?.focus();
    else if (wasAsking.current) buttonRef.current?.focus();
    wasAsking.current = asking;
  }, [asking]);
  if (!asking) {
    return (
      <button
        ref={buttonRef}
        type="button"
        class={props.buttonClass ?? 'btn'}
        disabled={props.disabled}
        aria-label={props.ariaLabel}
        onClick={() => setAsking(true)}
      >
        {props.label}
      </button>
    );
  }
  return (
    <div
      class="confirm"
      role="group"
      aria-label={props.question}
      onKeyDown={(ev) => {
        if (ev.key === 'Escape') {
          ev.preventDefault();
          setAsking(false);
        }
      }}
    >
      <p class="confirm-question small">{props.question}</p>
      <div class="confirm-actions">
        <button
          type="button"
          class="btn btn-small btn-danger"
          disabled={props.disabled}
          onClick={() => {
            setAsking(false);
            props.onConfirm();
          }}
        >
          {props.confirm}
        </button>
        <button ref={cancelRef} type="button" class="btn btn-small" onClick={() => setAsking(false)}>
          {props.cancel}
        </button>
      </div>
    </div>
  );
}
