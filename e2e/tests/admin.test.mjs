// Admin: manage pause types and company settings; the Profile menu follows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIn, newContext, profileButton, screenshot, serverAndBrowser, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();

async function menuLabels(page) {
  await page.getByRole('button', { name: /^Profile: / }).click();
  const menu = await visible(page.getByRole('menu', { name: 'Profile menu' }));
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
