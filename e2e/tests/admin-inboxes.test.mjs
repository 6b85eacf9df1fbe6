// Issue 15, Administration › E-mail: an admin sets up an inbox (IMAP and SMTP), sees Hovor try to
// connect and say why it fails, is told plainly when a server is on a private address or sent
// unencrypted, pauses and deletes it. Czech and English, axe on the screen and the form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CS_LOGIN, logIn, newContext, profileButton, screenshot, seriousA11yViolations, serverAndBrowser, visible } from '../lib/hovor.mjs';

const env = serverAndBrowser();
const AXE = { bypassCSP: true };

async function expectClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page, {}), [], `${what}: serious or critical accessibility violations`);
}

test('an admin sets up an inbox and sees why it cannot connect (cs)', async () => {
  const context = await newContext(env.browser, 'cs-CZ', AXE);
  const admin = await context.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online', 'Profil'));
  await admin.getByRole('link', { name: 'Administrace' }).click();
  await admin.getByRole('navigation', { name: 'Části administrace' }).getByRole('link', { name: 'E-mail' }).click();
  await admin.waitForURL(/\/admin\/inboxes$/);
  await visible(admin.getByText('Zatím žádné schránky.'));
  await expectClean(admin, 'inboxes (cs)');

  await admin.getByRole('button', { name: 'Nová schránka' }).click();
  const form = admin.getByRole('region', { name: 'Nová schránka' });
  // Sent empty: each missing field is named, nothing is made.
  await form.getByRole('button', { name: 'Vytvořit schránku' }).click();
  await visible(form.getByText('Zadejte název.'));
  await visible(form.getByText('Zadejte platnou e-mailovou adresu.'));
  assert.equal(await form.getByText('Zadejte heslo.').count(), 2);
  await expectClean(admin, 'inbox form with errors (cs)');

  await form.getByLabel('Název', { exact: true }).fill('Podpora');
  await form.getByLabel('Adresa').fill('podpora@demo.test');
  const imap = form.getByRole('group', { name: 'Příjem (IMAP)' });
  await imap.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await imap.getByLabel('Uživatelské jméno').fill('podpora');
  await imap.getByLabel('Heslo', { exact: true }).fill('tajné heslo');
  const smtp = form.getByRole('group', { name: 'Odesílání (SMTP)' });
  await smtp.getByLabel('Server', { exact: true }).fill('smtp.firma.invalid');
  await smtp.getByLabel('Uživatelské jméno').fill('podpora');
  await smtp.getByLabel('Heslo', { exact: true }).fill('tajné heslo');
  // Without encryption: warned. The port follows the choice.
  await smtp.getByLabel('Šifrování').selectOption('none');
  await visible(form.getByText(/Bez šifrování jde heslo/));
  assert.equal(await smtp.getByLabel('Port', { exact: true }).inputValue(), '25');
  await smtp.getByLabel('Šifrování').selectOption('starttls');
  assert.equal(await smtp.getByLabel('Port', { exact: true }).inputValue(), '587');
  assert.equal(await form.getByText(/Bez šifrování jde heslo/).count(), 0);
  // A server inside the network is refused, said in Czech.
  await form.getByRole('button', { name: 'Vytvořit schránku' }).click();
  await visible(form.getByRole('alert').getByText(/soukromou nebo místní adresu/));
  await imap.getByLabel('Server', { exact: true }).fill('imap.firma.invalid');
  await screenshot(admin, 'admin-inboxes-1-form-cs');
  await form.getByRole('button', { name: 'Vytvořit schránku' }).click();
  await visible(admin.getByRole('status').getByText('Schránka Podpora byla vytvořena. Hovor se k\u00a0ní právě připojuje.'));

  // Hovor tries to read it: the name does not resolve, and the list says so.
  const row = admin.getByRole('table', { name: 'E-mailové schránky' }).getByRole('row', { name: /Podpora/ });
  await visible(row.getByText('Chyba'), 30_000);
  await visible(row.getByText(/imap\.firma\.invalid does not resolve/));
  assert.equal(await admin.getByText('tajné heslo').count(), 0, 'the password is never shown');
  await expectClean(admin, 'inboxes with a failing one (cs)');
  await screenshot(admin, 'admin-inboxes-2-failing-cs');

  // Editing keeps the passwords unless new ones are typed.
  await row.getByRole('button', { name: 'Upravit: Podpora' }).click();
  const edit = admin.getByRole('region', { name: 'Úprava: Podpora' });
  assert.equal(await edit.getByRole('group', { name: 'Příjem (IMAP)' }).getByLabel('Heslo', { exact: true }).getAttribute('placeholder'), 'Beze změny');
  await edit.getByLabel('Název', { exact: true }).fill('Zákaznická podpora');
  await edit.getByRole('button', { name: 'Uložit' }).click();
  await visible(admin.getByRole('status').getByText('Schránka Zákaznická podpora byla uložena.'));
  await context.close();
});

test('an admin pauses and deletes an inbox (en)', async () => {
  const context = await newContext(env.browser, 'en-US', AXE);
  const admin = await context.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  await admin.goto(`${env.server.url}/admin/inboxes`);
  const row = admin.getByRole('table', { name: 'E-mail inboxes' }).getByRole('row', { name: /Zákaznická podpora/ });
  await visible(row.getByText('Failing'), 30_000);
  await expectClean(admin, 'inboxes (en)');
  await row.getByRole('button', { name: 'Pause' }).click();
  await visible(row.getByText('Paused'));
  await visible(admin.getByRole('status').getByText('Inbox Zákaznická podpora is paused.'));
  await screenshot(admin, 'admin-inboxes-3-paused-en');
  await row.getByRole('button', { name: 'Delete Zákaznická podpora' }).click();
  await row.getByRole('button', { name: 'Delete', exact: true }).click();
  await visible(admin.getByRole('status').getByText('Inbox Zákaznická podpora was deleted; its conversations stay.'));
  await visible(admin.getByText('No inboxes yet.'));
  await context.close();
});
