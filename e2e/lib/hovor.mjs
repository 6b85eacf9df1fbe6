// Shared helpers for the browser tests: start a fresh `hovor demo`, launch the system Chromium,
// log in, wait for things by role and accessible name.

import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const E2E_DIR = resolve(here, '..');
export const ARTIFACTS = join(E2E_DIR, 'artifacts');
export const PASSWORD = 'demo1234';
// Generous: CI runs the browser tests on 2 cores right after the Rust suite.
export const TIMEOUT = 20_000;

export function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

/**
 * Starts `hovor demo` on a free port with a fresh data directory (and `args`, e.g. a database URL);
 * resolves once /healthz answers.
 */
export async function startServer(args = []) {
  const bin = resolve(E2E_DIR, process.env.HOVOR_BIN ?? '../target/debug/hovor');
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'hovor-e2e-'));
  const child = spawn(bin, ['demo', '--listen', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`hovor exited with ${child.exitCode}:\n${output}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`hovor did not become healthy:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh `hovor demo` and a Chromium for this test file: started before its tests, then `setup`
 * (the file's own preparation, given them), and stopped after them. Each test file runs in a process
 * of its own, so each gets its own server.
 */
export function serverAndBrowser(setup, serverArgs = []) {
  const env = { server: null, browser: null };
  before(async () => {
    env.server = await startServer(serverArgs);
    env.browser = await launchBrowser();
    await setup?.(env);
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

/** A client on the demo website starts a chat in the widget (in a context of their own). */
export async function widgetChat(browser, url, name, { locale = 'en-US', nameLabel = 'Your name', start = 'Start chat', button } = {}) {
  const context = await newContext(browser, locale);
  const page = await context.newPage();
  const widget = await openWidget(page, url, button ? { button } : {});
  await widget.getByLabel(nameLabel).fill(name);
  await widget.getByRole('button', { name: start }).click();
  return { context, page, widget };
}

export function launchBrowser(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      ...extraArgs,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

export function newContext(browser, locale = 'en-US', extra = {}) {
  return browser.newContext({ locale, viewport: { width: 1280, height: 800 }, ...extra });
}

/** Fills the login form and submits it (English labels unless told otherwise). */
export async function logIn(page, url, email, { password = PASSWORD, labels = EN_LOGIN } = {}) {
  await page.goto(url);
  await page.getByLabel(labels.email, { exact: true }).fill(email);
  await page.getByLabel(labels.password, { exact: true }).fill(password);
  await page.getByRole('button', { name: labels.submit, exact: true }).click();
}
export const EN_LOGIN = { email: 'Email', password: 'Password', submit: 'Log in' };
export const CS_LOGIN = { email: 'E-mail', password: 'Heslo', submit: 'Přihlásit se' };

/**
 * What a chat in the workspace and the widget is made of, as each language labels it: the login,
 * Jana's profile button, the widget's start form, the queue and ending a conversation.
 */
export const CHAT_WORDS = {
  en: {
    locale: 'en-US',
    login: undefined,
    profile: ['Online', 'Profile'],
    button: 'Chat with us',
    name: 'Your name',
    start: 'Start chat',
    queue: 'Queue',
    accept: 'Accept',
    end: 'End',
    confirm: 'Yes, end it',
  },
  cs: {
    locale: 'cs-CZ',
    login: CS_LOGIN,
    profile: ['Online', 'Profil'],
    button: 'Napište nám',
    name: 'Vaše jméno',
    start: 'Začít chat',
    queue: 'Fronta',
    accept: 'Přijmout',
    end: 'Ukončit',
    confirm: 'Ano, ukončit',
  },
};

/** The header's Profile button whose accessible name says this person has this status. */
export function profileButton(page, name, status, prefix = 'Profile') {
  return page.getByRole('button', { name: `${prefix}: ${name}, ${status}`, exact: true });
}

export async function visible(locator, timeout = TIMEOUT) {
  await locator.waitFor({ state: 'visible', timeout });
  return locator;
}

/** Opens the Profile menu from the header and picks a status item by its label prefix. */
export async function chooseStatus(page, name, itemName) {
  // Background tabs get no animation frames, which makes clicking in them slow.
  await page.bringToFront();
  await page.getByRole('button', { name: new RegExp(`^Profile: ${name},`) }).click();
  const menu = await visible(page.getByRole('menu', { name: 'Profile menu' }));
  await menu.getByRole('menuitemradio', { name: itemName }).click();
}

export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, animations: 'disabled' });
}

/** Marks the current document; `stillSameDocument` is false after any reload or navigation. */
export async function markDocument(page) {
  await page.evaluate(() => {
    window.__hovorMark = 'kept';
  });
}
export async function stillSameDocument(page) {
  return page.evaluate(() => window.__hovorMark === 'kept');
}

/** The Channels tab's switch for a channel (accessible name = the channel's name). */
export function channelSwitch(page, name) {
  return page.getByRole('tabpanel').getByRole('switch', { name, exact: true });
}

/** Opens the demo website in a page and the chat widget on it; returns the widget's dialog. */
export async function openWidget(page, url, { button = 'Chat with us', path = process.env.HOVOR_DEMO_PATH ?? '/demo-site/' } = {}) {
  await page.goto(`${url}${path}`);
  const launcher = await visible(page.getByRole('button', { name: button, exact: true }));
  if ((await launcher.getAttribute('aria-expanded')) !== 'true') await launcher.click();
  return visible(page.getByRole('dialog', { name: button }));
}

/** Logs in over the API (no browser); returns a caller for JSON requests with cookie + CSRF. */
export async function apiSession(url, email, password = PASSWORD) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`login failed: ${res.status}`);
  const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''])
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrf_token: csrf } = await res.json();
  return async (method, path, body) => {
    const r = await fetch(`${url}${path}`, {
      method,
      headers: {
        Cookie: cookie,
        'X-CSRF-Token': csrf,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  };
}

/**
 * Runs axe-core (the npm package, injected into the page) and returns the serious and critical
 * violations, each as "rule: target (summary)". Shadow DOM (the widget) is included.
 */
export async function seriousA11yViolations(page, { include } = {}) {
  await page.addScriptTag({ path: join(E2E_DIR, 'node_modules', 'axe-core', 'axe.min.js') });
  const found = await page.evaluate(async (context) => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(context ?? document, { resultTypes: ['violations'] });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .flatMap((v) => v.nodes.map((n) => `${v.id}: ${JSON.stringify(n.target)} (${n.failureSummary?.split('\n').slice(1, 2).join(' ').trim() ?? ''})`));
  }, include ?? null);
  return found;
}
