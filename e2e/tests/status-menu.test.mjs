// 1. Jana changes her status through the Profile menu in the top-right corner.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  chooseStatus,
  logIn,
  newContext,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('the Profile menu changes the status, and it survives a reload', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');

  const online = await visible(profileButton(page, 'Jana Nováková', 'Online'));
  // The button is in the top-right corner of the header.
  const box = await online.boundingBox();
  const viewport = page.viewportSize();
  assert.ok(box && viewport && box.x + box.width > viewport.width * 0.8 && box.y < 80, `profile button at ${JSON.stringify(box)}`);
  await screenshot(page, 'status-1-online');

  await online.click();
  const menu = await visible(page.getByRole('menu', { name: 'Profile menu' }));
  const items = menu.getByRole('menuitemradio');
  const labels = (await items.allInnerTexts()).map((s) => s.trim());
  for (const expected of ['Online', 'Away', 'Oběd · unpaid', 'Osobní volno · unpaid', 'Školení · paid', 'Porada · paid']) {
    assert.ok(labels.includes(expected), `menu offers ${expected}: ${JSON.stringify(labels)}`);
  }
  assert.equal(await menu.getByRole('menuitemradio', { name: 'Online', exact: true }).getAttribute('aria-checked'), 'true');
  await screenshot(page, 'status-2-menu');
  await menu.getByRole('menuitemradio', { name: 'Oběd · unpaid' }).click();
  await visible(profileButton(page, 'Jana Nováková', 'Oběd'));
  await screenshot(page, 'status-3-lunch');

  await page.reload();
  const lunch = await visible(profileButton(page, 'Jana Nováková', 'Oběd'));
  await lunch.click();
  const menuAgain = await visible(page.getByRole('menu', { name: 'Profile menu' }));
  assert.equal(await menuAgain.getByRole('menuitemradio', { name: /^Oběd/ }).getAttribute('aria-checked'), 'true');
  // Escape closes the menu and gives the focus back to the button.
  await page.keyboard.press('Escape');
  await menuAgain.waitFor({ state: 'detached' });

  await chooseStatus(page, 'Jana Nováková', 'Online');
  await visible(profileButton(page, 'Jana Nováková', 'Online'));

  // Away without a reason.
  await chooseStatus(page, 'Jana Nováková', 'Away');
  await visible(profileButton(page, 'Jana Nováková', 'Away'));
  await context.close();
});
