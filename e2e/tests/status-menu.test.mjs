// 1. Jana changes her status through the Profile menu in the top-right corner.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chooseStatus, launchBrowser, logIn, newContext, profileButton, screenshot, startServer, visible } from '../lib/hovor.mjs';

let server;
let browser;
before(async () => {
  server = await startServer();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

test('the Profile menu changes the status, and it survives a reload', async () => {
  const context = await newContext(browser);
  const page = await context.newPage();
  await logIn(page, server.url, 'jana@demo.test');

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
