// Issue 12, "Accessibility": axe-core runs on the login page, the workspace, a conversation, the admin
// page and the widget, in both languages, and any serious or critical violation fails the test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  logIn,
  newContext,
  openWidget,
  profileButton,
  seriousA11yViolations,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

// axe-core is injected as a script: the contexts that run it bypass Hovor's Content-Security-Policy
// (which allows no inline script, rightly).
const AXE = { bypassCSP: true };
// On the demo website only the widget is Hovor's (the fake café's page is deliberately garish, to show
// that its CSS does not reach the widget).
const WIDGET = { include: [['hovor-widget']] };

const env = serverAndBrowser();

async function expectClean(page, what, include) {
  const violations = await seriousA11yViolations(page, include ? { include } : {});
  assert.deepEqual(violations, [], `${what}: serious or critical accessibility violations`);
}

for (const [locale, lang] of [
  ['en-US', 'en'],
  ['cs-CZ', 'cs'],
]) {
  test(`login, workspace, conversation, admin and widget have no serious violations (${lang})`, async () => {
    const labels = lang === 'cs' ? CS_LOGIN : undefined;
    const cs = lang === 'cs';

    const loginContext = await newContext(env.browser, locale, AXE);
    const loginPage = await loginContext.newPage();
    await loginPage.goto(env.server.url);
    await visible(loginPage.getByRole('button', { name: cs ? 'Přihlásit se' : 'Log in', exact: true }));
    await expectClean(loginPage, 'login page');
    await loginContext.close();

    // The widget, with a conversation waiting and then taken.
    const clientContext = await newContext(env.browser, locale, AXE);
    const client = await clientContext.newPage();
    const widget = await openWidget(client, env.server.url, { button: cs ? 'Napište nám' : 'Chat with us' });
    await expectClean(client, 'widget: start form', WIDGET);

    const janaContext = await newContext(env.browser, locale, AXE);
    const jana = await janaContext.newPage();
    await logIn(jana, env.server.url, 'jana@demo.test', labels ? { labels } : {});
    await visible(profileButton(jana, 'Jana Nováková', 'Online', cs ? 'Profil' : 'Profile'));

    await widget.getByLabel(cs ? 'Vaše jméno' : 'Your name').fill(`Klient ${lang}`);
    await widget.getByRole('button', { name: cs ? 'Začít chat' : 'Start chat' }).click();
    const queue = jana.getByRole('region', { name: cs ? 'Fronta' : 'Queue' });
    const item = queue.getByRole('listitem').filter({ hasText: `Klient ${lang}` });
    await visible(item);
    await expectClean(jana, 'workspace with an offer');
    await expectClean(client, 'widget: waiting', WIDGET);
    await item.getByRole('button', { name: cs ? 'Přijmout' : 'Accept', exact: true }).click();
    const conversation = await visible(jana.getByRole('region', { name: new RegExp(`Klient ${lang}`) }));
    await conversation.getByRole('textbox').first().fill('Dobrý den');
    await conversation.getByRole('textbox').first().press('Enter');
    await expectClean(jana, 'conversation');
    await expectClean(client, 'widget: conversation', WIDGET);
    await janaContext.close();
    await clientContext.close();

    const adminContext = await newContext(env.browser, locale, AXE);
    const admin = await adminContext.newPage();
    await logIn(admin, env.server.url, 'admin@demo.test', labels ? { labels } : {});
    await admin.getByRole('link', { name: cs ? 'Administrace' : 'Administration' }).click();
    await visible(admin.getByRole('region', { name: cs ? 'Nastavení společnosti' : 'Company settings' }));
    await expectClean(admin, 'admin page');
    await adminContext.close();
  });
}

test('the widget on a phone: 16 px fields (no zoom on focus), and opening it does not pop up the keyboard', async () => {
  // Jana is online, so the widget offers the start form.
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const phone = await env.browser.newContext({ locale: 'en-US', viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  const widget = await openWidget(page, env.server.url);
  const name = widget.getByLabel('Your name');
  await visible(name);
  assert.equal(await page.evaluate(() => matchMedia('(pointer: coarse)').matches), true, 'a touch screen');
  assert.equal(await name.evaluate((el) => getComputedStyle(el).fontSize), '16px');
  const focusedInWidget = await page.evaluate(() => document.querySelector('hovor-widget')?.shadowRoot?.activeElement?.tagName ?? null);
  assert.notEqual(focusedInWidget, 'INPUT', 'no field focused on open');
  await phone.close();

  // On a desktop the name field gets the focus at once, as before.
  const desk = await newContext(env.browser);
  const deskPage = await desk.newPage();
  await openWidget(deskPage, env.server.url);
  const focused = await deskPage.evaluate(() => document.querySelector('hovor-widget')?.shadowRoot?.activeElement?.tagName ?? null);
  assert.equal(focused, 'INPUT');
  await desk.close();
  await janaContext.close();
});
