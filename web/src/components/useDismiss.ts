import type { RefObject } from 'preact';
import { useLayoutEffect } from 'preact/hooks';

/**
 * While a popup is open: a pointer down outside it and its toggle closes it; Escape closes it and
 * gives the focus back to the toggle. `onOpen` runs once it is on screen (e.g. to focus inside).
 * A layout effect, so the listeners are there as soon as the popup is shown: a plain effect may
 * run a frame later, and an early Escape would be lost.
 */
export function useDismiss(
  open: boolean,
  setOpen: (open: boolean) => void,
  toggle: RefObject<HTMLElement | null>,
  popup: RefObject<HTMLElement | null>,
  onOpen?: () => void,
): void {
  useLayoutEffect(() => {
    if (!open) return undefined;
    onOpen?.();
    const onPointer = (ev: PointerEvent) => {
      const target = ev.target as Node | null;
      if (target && !popup.current?.contains(target) && !toggle.current?.contains(target)) setOpen(false);
    };
    const onKey = (ev: KeyboardEvent) => {
      if (ev.key !== 'Escape') return;
      ev.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
    // Only opening and closing matter: the refs and the setter are stable.
  }, [open]);
}
