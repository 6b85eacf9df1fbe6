// Admin: manage pause types (their order too) and company settings; the Profile menu follows, live.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  logIn,
  markDocument,
  newContext,
  profileButton,
  screenshot,
  seriousA11yViolations,
  serverAndBrowser,
  stillSameDocument,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

async function menuLabels(page, { button = /^Profile: /, menuName = 'Profile menu' } = {}) {
  await page.getByRole('button', { name: button }).click();
  const menu = await visible(page.getByRole('menu', { name: menuName }));
  const labels = (await menu.getByRole('menuitemradio').allInnerTexts()).map((s) => s.trim());
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  return labels;
}

test('an admin adds, renames and deletes a pause type and edits settings', async () => {
  const context = await newContext(env.browser);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'admin@demo.test');
  await visible(profileButton(page, 'Alena Administrátorová', 'Online'));
  await visible(page.getByRole('table', { name: 'Team' }));
  await page.getByRole('link', { name: 'Administration' }).click();
  await page.waitForURL(/\/admin$/);
  await visible(page.getByRole('heading', { name: 'Pause types' }));

  await page.getByLabel('New pause type').fill('Coffee');
  await page.getByRole('checkbox', { name: 'Paid', exact: true }).check();
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  const table = page.getByRole('table', { name: 'Pause types' });
  const row = table.getByRole('row', { name: /Coffee/ });
  await visible(row);
  assert.equal(await row.getByRole('checkbox', { name: 'Coffee is paid' }).isChecked(), true);
  assert.ok((await menuLabels(page)).includes('Coffee · paid'));

  await row.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('textbox', { name: 'New name for Coffee' }).fill('Coffee break');
  await page.getByRole('button', { name: 'Save', exact: true }).first().click();
  const renamed = table.getByRole('row', { name: /Coffee break/ });
  await visible(renamed.getByText('Active'));
  await screenshot(page, 'admin-en');

  await renamed.getByRole('button', { name: 'Delete' }).click();
  await visible(renamed.getByText('Archived'));
  const labels = await menuLabels(page);
  assert.ok(!labels.some((l) => l.startsWith('Coffee')), JSON.stringify(labels));
  assert.ok(labels.includes('Oběd · unpaid'));

  const settings = page.getByRole('region', { name: 'Company settings' });
  await settings.getByLabel('Status after login').selectOption('away');
  await settings.getByLabel('Disconnect grace period (seconds)').fill('90');
  // The settings that were only in the API are in the app too.
  await settings.getByLabel('Time to accept an offer (seconds)').fill('45');
  await settings.getByLabel(/An operator who misses an offer is set Away/).uncheck();
  await settings.getByLabel('A client who left the page leaves the queue after (seconds)').fill('120');
  // Files in chats: plain text too, at most 5 MB.
  await settings.getByRole('group', { name: 'Files in chats' }).getByLabel('Plain text and CSV').check();
  await settings.getByLabel('Largest file (MB)').fill('5');
  await settings.getByRole('button', { name: 'Save' }).click();
  await visible(settings.getByText('Saved.'));
  await page.reload();
  const again = page.getByRole('region', { name: 'Company settings' });
  await visible(again.getByLabel('Status after login'));
  assert.equal(await again.getByLabel('Status after login').inputValue(), 'away');
  assert.equal(await again.getByLabel('Disconnect grace period (seconds)').inputValue(), '90');
  assert.equal(await again.getByLabel('Time to accept an offer (seconds)').inputValue(), '45');
  assert.equal(await again.getByLabel(/An operator who misses an offer is set Away/).isChecked(), false);
  assert.equal(await again.getByLabel('A client who left the page leaves the queue after (seconds)').inputValue(), '120');
  assert.equal(await again.getByLabel('Plain text and CSV').isChecked(), true);
  assert.equal(await again.getByLabel('Pictures (PNG, JPEG, GIF, WebP)').isChecked(), true);
  assert.equal(await again.getByLabel('Largest file (MB)').inputValue(), '5');
  await screenshot(page, 'admin-settings-en');

  // An operator cannot open the admin page.
  const opContext = await newContext(env.browser);
  const op = await opContext.newPage();
  await logIn(op, env.server.url, 'tomas@demo.test');
  // Status after login is now "away".
  await visible(profileButton(op, 'Tomáš Dvořák', 'Away'));
  assert.equal(await op.getByRole('link', { name: 'Administration' }).count(), 0);
  await op.goto(`${env.server.url}/admin`);
  await visible(op.getByText('Only administrators can open this page.'));
  await opContext.close();
  await context.close();
});

test('an admin puts a pause type first, and an operator’s open status menu follows without a reload (cs)', async () => {
  const CS_MENU = { button: /^Profil: /, menuName: 'Nabídka profilu' };
  const opContext = await newContext(env.browser, 'cs-CZ');
  const op = await opContext.newPage();
  await logIn(op, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(op.getByRole('button', { name: /^Profil: Jana/ }));
  await markDocument(op);
  const pauses = (labels) => labels.filter((l) => l.includes(' · '));
  assert.deepEqual(pauses(await menuLabels(op, CS_MENU)), [
    'Oběd · neplacená',
    'Osobní volno · neplacená',
    'Školení · placená',
    'Porada · placená',
  ]);

  const adminContext = await newContext(env.browser, 'cs-CZ', { bypassCSP: true });
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: CS_LOGIN });
  await admin.getByRole('link', { name: 'Administrace' }).click();
  const table = admin.getByRole('table', { name: 'Typy pauz' });
  await visible(table.getByRole('row', { name: /Porada/ }));
  // The active types, in order (the first test left an archived one below them).
  const firstNames = async () => (await table.locator('.pause-name').allInnerTexts()).map((s) => s.trim()).slice(0, 4);
  assert.equal(await table.getByRole('button', { name: 'Posunout Oběd výš' }).isDisabled(), true);
  for (const expected of [
    ['Oběd', 'Osobní volno', 'Porada', 'Školení'],
    ['Oběd', 'Porada', 'Osobní volno', 'Školení'],
    ['Porada', 'Oběd', 'Osobní volno', 'Školení'],
  ]) {
    const up = table.getByRole('button', { name: 'Posunout Porada výš' });
    await up.click();
    await admin.waitForFunction(
      (want) =>
        [...document.querySelectorAll('.pause-name')]
          .slice(0, 4)
          .map((e) => e.textContent.trim())
          .join('|') === want,
      expected.join('|'),
    );
  }
  assert.deepEqual(await firstNames(), ['Porada', 'Oběd', 'Osobní volno', 'Školení']);
  await visible(table.getByRole('button', { name: 'Posunout Porada výš', disabled: true }));
  assert.deepEqual(await seriousA11yViolations(admin, {}), [], 'admin page (cs): serious or critical accessibility violations');
  await screenshot(admin, 'admin-pause-order-cs');

  // The operator's menu, open all along, now lists it first.
  await op.bringToFront();
  let labels = [];
  for (let i = 0; i < 50; i += 1) {
    labels = pauses(await menuLabels(op, CS_MENU));
    if (labels[0] === 'Porada · placená') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(labels, ['Porada · placená', 'Oběd · neplacená', 'Osobní volno · neplacená', 'Školení · placená']);
  assert.equal(await stillSameDocument(op), true, 'no reload');
  await adminContext.close();
  await opContext.close();
});
