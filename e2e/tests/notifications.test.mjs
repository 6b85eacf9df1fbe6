// Alerts (issue 5): with Jana's workspace not active (another tab in front, or the window
// minimised) a new client in the queue and a new client message each raise exactly one browser
// notification and one sound; in front nothing (unless "always"); a switched-off setting silences
// its kind; two hidden tabs alert once; clicking the notification opens the right conversation.
// The page's real Notification and Web Audio calls are recorded by an init script.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  apiSession,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

let jana; // API caller as Jana (accept, end, settings)
const env = serverAndBrowser(async ({ server }) => {
  jana = await apiSession(server.url, 'jana@demo.test');
});

/** Wraps Notification, OscillatorNode.start and window.focus; everything lands in window.__alerts. */
function instrument() {
  const rec = { notes: [], starts: [], focus: 0 };
  window.__alerts = rec;
  const Real = window.Notification;
  if (typeof Real === 'function') {
    const Wrapped = function Notification(title, options = {}) {
      let n;
      try {
        n = new Real(title, options);
      } catch {
        n = new EventTarget();
        n.close = () => {};
      }
      rec.notes.push({ title, body: options.body ?? '', tag: options.tag ?? '', n });
      return n;
    };
    Wrapped.prototype = Real.prototype;
    Object.defineProperty(Wrapped, 'permission', { get: () => Real.permission });
    Wrapped.requestPermission = (...args) => Real.requestPermission(...args);
    window.Notification = Wrapped;
  }
  const start = OscillatorNode.prototype.start;
  OscillatorNode.prototype.start = function (...args) {
    rec.starts.push({ at: performance.now(), state: this.context.state });
    return start.apply(this, args);
  };
  const focus = window.focus;
  window.focus = function () {
    rec.focus += 1;
    return focus.call(window);
  };
}

/** What a page recorded: notifications, and sounds (oscillator starts grouped per play). */
async function recorded(page) {
  return page.evaluate(() => {
    const r = window.__alerts;
    const sounds = [];
    for (const s of r.starts) {
      const last = sounds[sounds.length - 1];
      if (last && s.at - last.at < 100) last.oscillators += 1;
      else sounds.push({ at: s.at, oscillators: 1, state: s.state });
    }
    return { notes: r.notes.map(({ title, body, tag }) => ({ title, body, tag })), sounds, focus: r.focus };
  });
}

async function clear(...pages) {
  for (const p of pages) await p.evaluate(() => ((window.__alerts.notes = []), (window.__alerts.starts = []), (window.__alerts.focus = 0)));
}

async function until(what, check, timeout = 10_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for one notification and one sound, then a moment more to catch any duplicate. */
async function expectOneAlert(pages, title, body) {
  const all = async () => {
    const rs = await Promise.all(pages.map(recorded));
    return { notes: rs.flatMap((r) => r.notes), sounds: rs.flatMap((r) => r.sounds) };
  };
  await until(`a "${title}" alert`, async () => {
    const r = await all();
    return r.notes.length >= 1 && r.sounds.length >= 1;
  });
  await new Promise((r) => setTimeout(r, 800));
  const r = await all();
  assert.equal(r.notes.length, 1, `one notification: ${JSON.stringify(r.notes)}`);
  assert.equal(r.notes[0].title, title);
  assert.match(r.notes[0].body, body);
  assert.equal(r.sounds.length, 1, `one sound: ${JSON.stringify(r.sounds)}`);
  assert.equal(r.sounds[0].state, 'running', 'the audio was unlocked (not swallowed by the autoplay policy)');
  return r;
}

async function expectNothing(page, ms = 1200) {
  await new Promise((r) => setTimeout(r, ms));
  const r = await recorded(page);
  assert.deepEqual(r.notes, [], 'no notification');
  assert.deepEqual(r.sounds, [], 'no sound');
}

// ---- the client and the workspace -------------------------------------------------------------

async function newClient(name) {
  const res = await fetch(`${env.server.url}/api/v1/client/sessions`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ company: 'demo', channel: 'chat', name }),
  });
  assert.equal(res.status, 201, await res.clone().text());
  const { session, client_token: token } = await res.json();
  const call = (method, path, body) =>
    fetch(`${env.server.url}/api/v1/client/sessions/${session.id}${path}`, {
      method,
      headers: { Authorization: `Bearer ${token}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  return {
    id: session.id,
    name,
    async say(text) {
      const r = await call('POST', '/messages', { text });
      assert.equal(r.status, 201, await r.text());
    },
    async leave() {
      await call('POST', '/leave');
    },
  };
}

async function resetSettings() {
  const r = await jana('PATCH', '/api/v1/me/notification-settings', {
    when: 'inactive',
    new_client: { sound: true, tone: 'chime', volume: 70, browser: true },
    new_message: { sound: true, tone: 'pop', volume: 70, browser: true },
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function openWorkspace(context) {
  const page = await context.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');
  await visible(profileButton(page, 'Jana Nováková', 'Online'));
  return page;
}

/** Switches Playwright's "every page is focused" emulation off, so focus is real. */
async function realFocus(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
  return cdp;
}

const hasFocus = (page) => page.evaluate(() => document.hasFocus());

/** Another tab in front: the workspace loses focus (headless keeps it "visible"). */
async function otherTabInFront(context, pages) {
  const other = await context.newPage();
  await other.goto('about:blank');
  await other.bringToFront();
  for (const [i, p] of pages.entries()) await until(`workspace ${i + 1} to lose focus`, async () => !(await hasFocus(p)));
  return other;
}

async function inFront(page) {
  await page.bringToFront();
  await until('the workspace to get focus', () => hasFocus(page));
}

async function context(locale = 'en-US') {
  const ctx = await newContext(env.browser, locale);
  await ctx.grantPermissions(['notifications'], { origin: env.server.url });
  await ctx.addInitScript(instrument);
  return ctx;
}

// ---- the tests ----------------------------------------------------------------------------------

test('a new client and a new message alert once when the workspace is not active, and never in front', async () => {
  await resetSettings();
  const ctx = await context();
  const page = await openWorkspace(ctx);
  const cdp = await realFocus(ctx, page);
  assert.equal(await page.evaluate(() => Notification.permission), 'granted');

  // 1. Another tab in front: a new client in the queue → one notification naming the client, one sound.
  await clear(page);
  const other = await otherTabInFront(ctx, [page]);
  const karel = await newClient('Karel Klient');
  await expectOneAlert([page], 'New client in the queue', /Karel Klient/);
  assert.equal(await page.title(), '(1) Hovor', 'the title counts the waiting client');
  const icon = await page.locator('link[rel~="icon"]').evaluate((l) => ({ href: l.href, unread: l.dataset.unread }));
  assert.equal(icon.unread, '1');
  assert.match(icon.href, /^data:image\/png/, 'a badge was drawn on the favicon');
  // Clicking the notification brings the workspace back onto that queue entry.
  await page.evaluate(() => window.__alerts.notes[0].n.onclick(new Event('click')));
  const entry = page.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  assert.equal(await entry.getAttribute('aria-current'), 'true');
  await until('the Accept button to have focus', () => entry.getByRole('button', { name: 'Accept' }).evaluate((b) => b === document.activeElement));
  assert.equal((await recorded(page)).focus, 1, 'window.focus() was called');

  // 2. Jana accepts (in front: nothing alerts); then, with the window minimised, the client writes.
  await inFront(page);
  assert.equal(await page.title(), 'Hovor');
  await clear(page);
  assert.equal((await jana('POST', `/api/v1/sessions/${karel.id}/accept`)).status, 200);
  const conversation = page.getByRole('region', { name: 'Conversation with Karel Klient' });
  await page.getByRole('button', { name: /Karel Klient/ }).click();
  await visible(conversation);
  await page.getByRole('button', { name: 'Back to the panel' }).click();
  const { windowId } = await cdp.send('Browser.getWindowForTarget');
  await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'minimized' } });
  await until('the minimised workspace to lose focus', async () => !(await hasFocus(page)));
  await karel.say('Do you have <b>oat</b> milk?');
  await expectOneAlert([page], 'New message', /^Karel Klient: Do you have <b>oat<\/b> milk\?$/);
  assert.equal(await page.title(), '(1) Hovor');
  // Clicking it focuses exactly that conversation.
  await page.evaluate(() => window.__alerts.notes[0].n.onclick(new Event('click')));
  await cdp.send('Browser.setWindowBounds', { windowId, bounds: { windowState: 'normal' } });
  await visible(conversation);
  await visible(conversation.getByText('Do you have <b>oat</b> milk?', { exact: true }));
  assert.equal((await recorded(page)).focus, 1);
  await inFront(page);
  assert.equal(await page.title(), 'Hovor', 'read once the conversation is open in front');

  // 3. In front: neither a client message nor a new client alerts.
  await clear(page);
  await karel.say('Still there?');
  await visible(conversation.getByText('Still there?', { exact: true }));
  const eva = await newClient('Eva Návštěvnice');
  await visible(page.getByRole('region', { name: 'Queue' }).getByText('Eva Návštěvnice'));
  await expectNothing(page);
  await eva.leave();

  // 4. The client message again, with another tab in front (no duplicate of the earlier key).
  await clear(page);
  await otherTabInFront(ctx, [page]);
  await karel.say('Hello?');
  await expectOneAlert([page], 'New message', /Hello\?/);

  assert.equal((await jana('POST', `/api/v1/sessions/${karel.id}/end`)).status, 200);
  await other.close();
  await ctx.close();
});

test('settings: a switched-off kind stays silent; "always" alerts in front; changes apply live', async () => {
  await resetSettings();
  const ctx = await context();
  const page = await openWorkspace(ctx);
  await realFocus(ctx, page);

  // The Notifications tab: switch off the sound of new messages (saved to the server).
  await page.getByRole('tab', { name: 'Notifications' }).click();
  const messages = page.getByRole('group', { name: 'New message from a client' });
  await visible(page.getByText('Allowed in this browser'));
  const soundSwitch = messages.getByRole('switch', { name: 'Sound' });
  assert.equal(await soundSwitch.getAttribute('aria-checked'), 'true');
  const saved = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/notification-settings') && r.request().method() === 'PATCH');
  await soundSwitch.click();
  assert.equal((await saved).status(), 200);
  await until('the switch to show off', async () => (await soundSwitch.getAttribute('aria-checked')) === 'false');
  const me = await jana('GET', '/api/v1/me');
  assert.equal(me.body.notification_settings.new_message.sound, false, 'stored on the server');
  assert.equal(me.body.notification_settings.new_message.browser, true);

  // New client notifications off through the API: the open page follows the pushed event.
  assert.equal((await jana('PATCH', '/api/v1/me/notification-settings', { new_client: { browser: false } })).status, 200);
  const clients = page.getByRole('group', { name: 'New client in the queue' });
  await until('the live settings event', async () => (await clients.getByRole('switch', { name: 'Browser notification' }).getAttribute('aria-checked')) === 'false');

  // Not active: a new client → a sound but no notification.
  await clear(page);
  const other = await otherTabInFront(ctx, [page]);
  const petr = await newClient('Petr Pokus');
  await until('a sound', async () => (await recorded(page)).sounds.length === 1);
  await new Promise((r) => setTimeout(r, 800));
  let r = await recorded(page);
  assert.deepEqual(r.notes, [], 'no notification for a new client');
  assert.equal(r.sounds.length, 1);

  // A client message → a notification but no sound.
  await inFront(page);
  assert.equal((await jana('POST', `/api/v1/sessions/${petr.id}/accept`)).status, 200);
  await visible(page.getByRole('listitem').getByRole('button', { name: /Petr Pokus/ }));
  await clear(page);
  await other.bringToFront();
  await until('the workspace to lose focus', async () => !(await hasFocus(page)));
  await petr.say('Anyone?');
  await until('a notification', async () => (await recorded(page)).notes.length === 1);
  await new Promise((r) => setTimeout(r, 800));
  r = await recorded(page);
  assert.equal(r.notes[0].title, 'New message');
  assert.deepEqual(r.sounds, [], 'no sound for a new message');

  // "Always": in front, a new client alerts (sound + notification as set back on).
  await resetSettings();
  const always = page.waitForResponse((r) => r.url().endsWith('/api/v1/me/notification-settings') && r.request().method() === 'PATCH');
  await inFront(page);
  await page.getByRole('radio', { name: /^Always/ }).check();
  assert.equal((await always).status(), 200);
  await clear(page);
  const zora = await newClient('Zora Zkušební');
  await expectOneAlert([page], 'New client in the queue', /Zora Zkušební/);

  await zora.leave();
  await jana('POST', `/api/v1/sessions/${petr.id}/end`);
  await resetSettings();
  await other.close();
  await ctx.close();
});

test('two hidden workspace tabs of the same operator alert exactly once', async () => {
  await resetSettings();
  const ctx = await context();
  const first = await openWorkspace(ctx);
  await realFocus(ctx, first);
  const second = await ctx.newPage();
  await second.goto(env.server.url);
  await visible(profileButton(second, 'Jana Nováková', 'Online'));
  await realFocus(ctx, second);
  // Both tabs are unlocked for audio the way an operator would do it: a click in each.
  for (const p of [first, second]) {
    await inFront(p);
    await p.getByRole('heading', { name: 'Hello', exact: true }).click();
  }
  await clear(first, second);
  const other = await otherTabInFront(ctx, [first, second]);
  const karel = await newClient('Karel Dvojtý');
  await visible(first.getByRole('region', { name: 'Queue' }).getByText('Karel Dvojtý'));
  await visible(second.getByRole('region', { name: 'Queue' }).getByText('Karel Dvojtý'));
  const r = await expectOneAlert([first, second], 'New client in the queue', /Karel Dvojtý/);
  assert.ok(r);
  // The tab that alerted is the one last in front (the second).
  assert.equal((await recorded(second)).notes.length, 1);
  await screenshot(first, 'notifications-two-tabs');

  await karel.leave();
  await other.close();
  await ctx.close();
});

test('without any interaction yet the audio waits for the first click, and says so', async () => {
  await resetSettings();
  // Headless Chromium lets audio play without a gesture (even with --autoplay-policy), a real
  // browser does not: emulate that policy — an AudioContext stays suspended until the user acted.
  const ctx = await context();
  // (Playwright's evaluate() counts as a user gesture, so real input events are what counts here.)
  await ctx.addInitScript(() => {
    let acted = false;
    for (const type of ['pointerdown', 'keydown']) window.addEventListener(type, (e) => (acted ||= e.isTrusted), true);
    const Real = window.AudioContext;
    window.AudioContext = class extends Real {
      constructor(...args) {
        super(...args);
        if (!acted) void Real.prototype.suspend.call(this);
      }
      resume() {
        return acted ? super.resume() : Promise.resolve();
      }
    };
  });
  // Logged in without touching the page (as after a browser restart with the session cookie).
  const login = await ctx.request.post(`${env.server.url}/api/v1/auth/login`, { data: { email: 'jana@demo.test', password: 'demo1234' } });
  assert.equal(login.status(), 200);
  const page = await ctx.newPage();
  await page.goto(env.server.url);
  await visible(profileButton(page, 'Jana Nováková', 'Online'));
  await realFocus(ctx, page);
  await clear(page);
  const other = await otherTabInFront(ctx, [page]);
  const ivan = await newClient('Ivan Ticho');
  await until('the alert', async () => {
    const r = await recorded(page);
    return r.notes.length === 1 && r.sounds.length === 1;
  });
  const r = await recorded(page);
  const hint = page.getByRole('status').filter({ hasText: 'Click anywhere to enable sound alerts.' });
  assert.equal(r.sounds[0].state, 'suspended', 'the autoplay policy holds the sound back');
  {
    // The operator is told, and the first click unlocks the audio.
    await visible(hint);
    await screenshot(page, 'notifications-audio-hint');
    await inFront(page);
    await page.getByRole('heading', { name: 'Hello', exact: true }).click();
    await hint.waitFor({ state: 'detached' });
    await page.getByRole('tab', { name: 'Notifications' }).click();
    await clear(page);
    await page.getByRole('button', { name: 'Test sound' }).first().click();
    await until('a running sound', async () => (await recorded(page)).sounds[0]?.state === 'running');
  }
  await ivan.leave();
  await other.close();
  await ctx.close();
});

test('the Notifications tab in both languages; the permission state and its help', async () => {
  await resetSettings();
  for (const [locale, tab, granted] of [
    ['en-US', 'Notifications', 'Allowed in this browser'],
    ['cs-CZ', 'Notifikace', 'V tomto prohlížeči povoleny'],
  ]) {
    const ctx = await context(locale);
    const page = await ctx.newPage();
    const labels = locale === 'cs-CZ' ? { email: 'E-mail', password: 'Heslo', submit: 'Přihlásit se' } : undefined;
    await logIn(page, env.server.url, 'jana@demo.test', labels ? { labels } : {});
    await page.getByRole('tab', { name: tab }).click();
    await visible(page.getByText(granted));
    await screenshot(page, `notifications-tab-${locale.slice(0, 2)}`);
    // The test buttons really play and show (the click unlocks the audio).
    await clear(page);
    const testSound = locale === 'cs-CZ' ? 'Vyzkoušet zvuk' : 'Test sound';
    const testNote = locale === 'cs-CZ' ? 'Vyzkoušet notifikaci' : 'Test notification';
    await page.getByRole('button', { name: testSound }).first().click();
    await page.getByRole('button', { name: testNote }).last().click();
    await until('the test sound and notification', async () => {
      const r = await recorded(page);
      return r.sounds.length === 1 && r.notes.length === 1;
    });
    await ctx.close();
  }

  // Without the permission: "Not asked yet" with a button to ask.
  const ctx = await newContext(env.browser);
  const page = await ctx.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');
  await page.getByRole('tab', { name: 'Notifications' }).click();
  assert.equal(await page.evaluate(() => Notification.permission), 'default');
  await visible(page.getByText('Not asked yet'));
  await visible(page.getByRole('button', { name: 'Allow browser notifications' }));
  await visible(page.getByText(/only the sounds alert you/));
  // The operator blocks them in the browser: the tab follows and explains how to undo it.
  const cdp = await ctx.newCDPSession(page);
  const { targetInfo } = await cdp.send('Target.getTargetInfo');
  const browserCdp = await env.browser.newBrowserCDPSession();
  await browserCdp.send('Browser.setPermission', {
    permission: { name: 'notifications' },
    setting: 'denied',
    origin: env.server.url,
    browserContextId: targetInfo.browserContextId,
  });
  await visible(page.getByText('Blocked in this browser'));
  await visible(page.getByRole('note').getByText(/open the site settings, set Notifications to "Allow"/));
  assert.equal(await page.getByRole('button', { name: 'Allow browser notifications' }).count(), 0);
  await screenshot(page, 'notifications-tab-denied');
  await ctx.close();
});
