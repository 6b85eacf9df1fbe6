import type { Tone } from '../status';

export function StatusDot({ tone, size = 'md' }: { tone: Tone; size?: 'sm' | 'md' }) {
  return <span class={`dot dot-${tone} dot-${size}`} aria-hidden="true" />;
}
