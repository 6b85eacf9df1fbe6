// The Hovor chat widget: one self-contained script a website embeds with
//   <script src="https://HOST/widget.js" data-company="demo" async></script>
// (optionally data-group="<group id>", data-lang="cs|en", data-color="#rrggbb").
// It renders into a Shadow DOM (the page's CSS cannot reach in, ours cannot leak out), talks only to
// the origin it was loaded from, and renders every client/operator text with textContent.
// This file finds its own <script> tag and mounts the chat (chat.ts; its DOM is ui.ts).

import { readStorage } from './browser';
import { Chat } from './chat';
import { widgetLang } from './i18n';
import { apiBase, invitationChatKey, parseStoredChat, widgetAccent, widgetGroup } from './model';

function boot(): void {
  const script =
    (document.currentScript as HTMLScriptElement | null) ??
    document.querySelector<HTMLScriptElement>('script[data-company][src*="widget.js"], script[data-invitation][src*="widget.js"]');
  if (!script) return;
  const company = script.dataset['company'];
  const code = script.dataset['invitation'];
  if (!company && !code) return;
  const base = apiBase(script.src, location.href);
  const lang = widgetLang(navigator.language, script.dataset['lang']);
  const accent = widgetAccent(script.dataset['color']);
  const mount = () => {
    if (code) {
      // The landing page of an invitation: render into its placeholder (or float, opened, if missing).
      const slot = document.getElementById('hovor-invitation');
      const operator = slot?.dataset['operator'] ?? null;
      const calls = slot?.dataset['calls'] === '1';
      // A used or invalidated code's page (410) may still load us: only the browser that redeemed it
      // (its conversation is stored) rejoins; anyone else just reads why the link no longer works.
      if (slot?.dataset['gone']) {
        if (!parseStoredChat(readStorage(invitationChatKey(code)))) return;
        document.getElementById('hovor-invitation-gone')?.setAttribute('hidden', '');
      }
      const host = slot && !slot.shadowRoot ? slot : document.createElement('hovor-widget');
      if (host !== slot) document.body.append(host);
      const root = host.attachShadow({ mode: 'open' });
      new Chat({ base, mode: { kind: 'invitation', code, operator, calls }, root, lang, accent, inline: host === slot });
    } else if (company) {
      const host = document.createElement('hovor-widget');
      const root = host.attachShadow({ mode: 'open' });
      document.body.append(host);
      new Chat({ base, mode: { kind: 'company', company, group: widgetGroup(script.dataset['group']) }, root, lang, accent, inline: false });
    }
  };
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount, { once: true });
}

boot();
