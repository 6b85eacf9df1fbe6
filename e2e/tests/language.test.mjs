// 4. The language switch changes the UI between Czech and English, and the choice survives reload.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('Czech from the browser, switchable to English and back, remembered', async () => {
  const context = await newContext(env.browser, 'cs-CZ');
  const page = await context.newPage();
  await page.goto(env.server.url);
  // A Czech browser gets the Czech login page.
  await visible(page.getByRole('button', { name: 'Přihlásit se', exact: true }));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cs');
  await screenshot(page, 'lang-1-login-cs');
  // The login page has its own switch.
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await visible(page.getByRole('button', { name: 'Log in', exact: true }));
  await screenshot(page, 'lang-2-login-en');
  await page.getByRole('button', { name: 'Čeština', exact: true }).click();

  await logIn(page, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  const button = await visible(profileButton(page, 'Jana Nováková', 'Online', 'Profil'));
  await button.click();
  let menu = await visible(page.getByRole('menu', { name: 'Nabídka profilu' }));
  await visible(menu.getByRole('menuitemradio', { name: 'Oběd · neplacená' }));
  await visible(menu.getByRole('menuitem', { name: 'Odhlásit se' }));
  await screenshot(page, 'lang-3-menu-cs');
  await menu.getByRole('menuitemradio', { name: 'Pryč', exact: true }).click();
  await visible(profileButton(page, 'Jana Nováková', 'Pryč', 'Profil'));
  await visible(page.getByRole('tab', { name: 'Kanály' }));
  await screenshot(page, 'lang-4-workspace-cs');

  // Switch to English in the Profile menu.
  await page.getByRole('button', { name: /^Profil: / }).click();
  menu = await visible(page.getByRole('menu', { name: 'Nabídka profilu' }));
  await menu.getByRole('menuitemradio', { name: 'English' }).click();
  await visible(profileButton(page, 'Jana Nováková', 'Away'));
  menu = await visible(page.getByRole('menu', { name: 'Profile menu' }));
  await visible(menu.getByRole('menuitemradio', { name: 'Oběd · unpaid' }));
  await visible(menu.getByRole('menuitem', { name: 'Log out' }));
  assert.equal(await menu.getByRole('menuitemradio', { name: 'English' }).getAttribute('aria-checked'), 'true');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await screenshot(page, 'lang-5-menu-en');

  // The choice survives a reload even though the browser says Czech.
  await page.reload();
  await visible(profileButton(page, 'Jana Nováková', 'Away'));
  await visible(page.getByRole('tab', { name: 'Channels' }));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');

  // And back to Czech.
  await page.getByRole('button', { name: /^Profile: / }).click();
  menu = await visible(page.getByRole('menu', { name: 'Profile menu' }));
  await menu.getByRole('menuitemradio', { name: 'Čeština' }).click();
  await visible(profileButton(page, 'Jana Nováková', 'Pryč', 'Profil'));
  await page.reload();
  await visible(profileButton(page, 'Jana Nováková', 'Pryč', 'Profil'));
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'cs');
  await context.close();
});
