// Issue 14, administration in the app: an admin creates a user with chat and the phone, and that user
// logs in and has both; an admin gives the phone to an operator who is working, and the handset
// appears in their open workspace without a reload; groups are made and filled in the app. In both
// languages, with axe-core on each new screen.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  channelSwitch,
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
// axe-core is injected as a script, which Hovor's Content-Security-Policy rightly forbids.
const AXE = { bypassCSP: true };

async function expectClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page, {}), [], `${what}: serious or critical accessibility violations`);
}

test('an admin creates a user with chat and the phone, and the user logs in and has both (en)', async () => {
  const adminContext = await newContext(env.browser, 'en-US', AXE);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  await admin.getByRole('link', { name: 'Administration' }).click();
  await admin.getByRole('navigation', { name: 'Administration sections' }).getByRole('link', { name: 'Groups' }).click();
  await admin.waitForURL(/\/admin\/groups$/);

  // A group first, so the new user can join it.
  await admin.getByRole('button', { name: 'New group' }).click();
  const groupForm = admin.getByRole('region', { name: 'New group' });
  await groupForm.getByLabel('Name').fill('Reklamace');
  await groupForm.getByLabel('Queue limit').fill('15');
  await groupForm.getByLabel('Distribution').selectOption('broadcast');
  await groupForm.getByRole('checkbox', { name: /Jana Nováková/ }).check();
  await expectClean(admin, 'group form');
  await groupForm.getByRole('button', { name: 'Create group' }).click();
  await visible(admin.getByRole('status').getByText('Group Reklamace was created.'));
  const groups = admin.getByRole('table', { name: 'Groups' });
  const reklamace = groups.getByRole('row', { name: /Reklamace/ });
  await visible(reklamace.getByText('Jana Nováková'));
  await visible(reklamace.getByText('15'));
  await visible(reklamace.getByText('To everyone at once'));
  await expectClean(admin, 'groups list');

  await admin.getByRole('link', { name: 'Users' }).click();
  await admin.waitForURL(/\/admin\/users$/);
  const users = admin.getByRole('table', { name: 'Users' });
  await visible(users.getByRole('row', { name: /Eva Černá/ }));
  await expectClean(admin, 'users list');
  await admin.getByRole('button', { name: 'New user' }).click();
  const form = admin.getByRole('region', { name: 'New user' });
  // Sent empty, the form says what is missing and sends nothing.
  await form.getByRole('button', { name: 'Create user' }).click();
  await visible(form.getByText('Enter a name.'));
  await visible(form.getByText('Enter a valid e-mail address.'));
  await expectClean(admin, 'user form with errors');

  await form.getByRole('textbox', { name: 'Name' }).fill('Petr Nový');
  await form.getByRole('textbox', { name: 'E-mail' }).fill('petr@demo.test');
  await form.getByRole('checkbox', { name: 'Chat' }).check();
  await form.getByLabel('How many Chat sessions at once').fill('2');
  await form.getByRole('checkbox', { name: 'Phone' }).check();
  await form.getByLabel('Phone extension').fill('250');
  await form.getByRole('checkbox', { name: 'Reklamace' }).check();
  await screenshot(admin, 'admin-users-1-new-user');
  await form.getByRole('button', { name: 'Create user' }).click();
  await visible(admin.getByRole('status').getByText('Petr Nový was created.'));
  const petrRow = users.getByRole('row', { name: /Petr Nový/ });
  await visible(petrRow.getByText('Chat ×2, Phone (ext. 250)'));
  await visible(petrRow.getByText('Reklamace'));
  await screenshot(admin, 'admin-users-2-list');

  // The same e-mail again: refused, said plainly, nothing made.
  await admin.getByRole('button', { name: 'New user' }).click();
  const again = admin.getByRole('region', { name: 'New user' });
  await again.getByRole('textbox', { name: 'Name' }).fill('Petr Druhý');
  await again.getByRole('textbox', { name: 'E-mail' }).fill('petr@demo.test');
  await again.getByRole('button', { name: 'Create user' }).click();
  await visible(again.getByRole('alert').getByText('Another user already has this e-mail address.'));
  await again.getByRole('button', { name: 'Cancel' }).click();
  assert.equal(await users.getByRole('row', { name: /Petr Druhý/ }).count(), 0);

  // No password was set: the admin gives Petr a link to choose his own.
  await petrRow.getByRole('button', { name: 'Edit Petr Nový' }).click();
  const edit = admin.getByRole('region', { name: 'Edit Petr Nový' });
  await edit.getByRole('button', { name: 'Make a set-password link' }).click();
  const link = await (await visible(edit.locator('.secret-value'))).innerText();
  assert.match(link, /\/set-password#[0-9a-f]{64}$/);
  await expectClean(admin, 'user form with a set-password link');
  await edit.getByRole('button', { name: 'Cancel' }).click();

  // Petr follows it, chooses his password, logs in and has both channels and the handset.
  const petrContext = await newContext(env.browser, 'en-US', AXE);
  const petr = await petrContext.newPage();
  await petr.goto(link);
  await visible(petr.getByRole('heading', { name: 'Choose your password' }));
  await expectClean(petr, 'set-password page');
  await petr.getByLabel('New password').fill('petrovo heslo');
  await petr.getByLabel('The same again').fill('petrovo heslo');
  await petr.getByRole('button', { name: 'Set the password' }).click();
  await visible(petr.getByText('Your password is set. Log in with it.'));
  // (A fresh load: only the fragment would differ from the address shown now.)
  await petr.goto('about:blank');
  await petr.goto(link);
  await petr.getByLabel('New password').fill('another one 123');
  await petr.getByLabel('The same again').fill('another one 123');
  await petr.getByRole('button', { name: 'Set the password' }).click();
  await visible(petr.getByText('This link has been used or has expired.', { exact: false }));
  await logIn(petr, env.server.url, 'petr@demo.test', { password: 'petrovo heslo' });
  await visible(profileButton(petr, 'Petr Nový', 'Online'));
  await visible(channelSwitch(petr, 'Chat'));
  await visible(channelSwitch(petr, 'Phone'));
  await visible(petr.getByRole('button', { name: /^Phone line unavailable/ }));
  await screenshot(petr, 'admin-users-3-new-user-logged-in');

  // Deactivated: out at once.
  await petrRow.getByRole('button', { name: 'Deactivate Petr Nový' }).click();
  await petrRow.getByRole('button', { name: 'Deactivate', exact: true }).click();
  await visible(admin.getByRole('status').getByText('Petr Nový was deactivated.'));
  await petr.waitForURL(/\/login$/);
  await petrContext.close();
  await adminContext.close();
});

test('an admin creates a user with chat, the phone and a password, and the user logs in and has both (cs)', async () => {
  const adminContext = await newContext(env.browser, 'cs-CZ', AXE);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online', 'Profil'));
  await admin.getByRole('link', { name: 'Administrace' }).click();
  await admin.getByRole('navigation', { name: 'Části administrace' }).getByRole('link', { name: 'Uživatelé' }).click();
  await admin.waitForURL(/\/admin\/users$/);
  const users = admin.getByRole('table', { name: 'Uživatelé' });
  await visible(users.getByRole('row', { name: /Eva Černá/ }));
  await admin.getByRole('button', { name: 'Nový uživatel' }).click();
  const form = admin.getByRole('region', { name: 'Nový uživatel' });
  await form.getByRole('textbox', { name: 'Jméno' }).fill('Věra Nová');
  await form.getByRole('textbox', { name: 'E-mail' }).fill('vera@demo.test');
  await form.getByLabel('Heslo', { exact: true }).fill('krátké');
  await form.getByRole('checkbox', { name: 'Chat' }).check();
  await form.getByLabel('Kolik relací kanálu Chat najednou').fill('3');
  await form.getByRole('checkbox', { name: 'Telefon' }).check();
  await form.getByLabel('Telefonní linka (klapka)').fill('251');
  // Too short a password: said in Czech, nothing sent.
  await form.getByRole('button', { name: 'Vytvořit uživatele' }).click();
  await visible(form.getByText('Heslo má alespoň 8 znaků.', { exact: true }));
  await form.getByLabel('Heslo', { exact: true }).fill('věřino heslo');
  await expectClean(admin, 'user form (cs)');
  await form.getByRole('button', { name: 'Vytvořit uživatele' }).click();
  await visible(admin.getByRole('status').getByText('Uživatel Věra Nová byl vytvořen.'));
  const row = users.getByRole('row', { name: /Věra Nová/ });
  await visible(row.getByText('Chat ×3, Telefon (klapka 251)'));
  await screenshot(admin, 'admin-users-6-created-cs');

  const veraContext = await newContext(env.browser, 'cs-CZ');
  const vera = await veraContext.newPage();
  await logIn(vera, env.server.url, 'vera@demo.test', { password: 'věřino heslo', labels: CS_LOGIN });
  await visible(profileButton(vera, 'Věra Nová', 'Online', 'Profil'));
  await visible(channelSwitch(vera, 'Chat'));
  await visible(channelSwitch(vera, 'Telefon'));
  await visible(vera.getByRole('button', { name: /^Telefonní linka nedostupná/ }));
  await screenshot(vera, 'admin-users-7-new-user-logged-in-cs');
  await veraContext.close();
  await adminContext.close();
});

test('an admin gives the phone to a working operator and the handset appears without a reload (cs)', async () => {
  const tomasContext = await newContext(env.browser, 'cs-CZ');
  const tomas = await tomasContext.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online', 'Profil'));
  await visible(channelSwitch(tomas, 'E-mail'));
  assert.equal(await tomas.getByRole('button', { name: /^Telefonní linka/ }).count(), 0);
  await markDocument(tomas);

  const adminContext = await newContext(env.browser, 'cs-CZ', AXE);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online', 'Profil'));
  await admin.goto(`${env.server.url}/admin/users`);
  const users = admin.getByRole('table', { name: 'Uživatelé' });
  const row = users.getByRole('row', { name: /Tomáš Dvořák/ });
  await visible(row.getByText('Chat ×2, E-mail ×5'));
  await expectClean(admin, 'users list (cs)');
  await row.getByRole('button', { name: 'Upravit: Tomáš Dvořák' }).click();
  const form = admin.getByRole('region', { name: 'Úprava: Tomáš Dvořák' });
  await form.getByRole('checkbox', { name: 'Telefon' }).check();
  await form.getByLabel('Telefonní linka (klapka)').fill('7');
  await form.getByRole('button', { name: 'Uložit' }).click();
  await visible(form.getByText('Klapka má 2 až 20 číslic.'));
  await expectClean(admin, 'user form (cs)');
  await form.getByLabel('Telefonní linka (klapka)').fill('207');
  await screenshot(admin, 'admin-users-4-edit-cs');
  await form.getByRole('button', { name: 'Uložit' }).click();
  await visible(admin.getByRole('status').getByText('Uloženo.'));
  await visible(row.getByText('Chat ×2, E-mail ×5, Telefon (klapka 207)'));

  // Tomáš's open workspace: the handset and the phone switch, with no reload.
  await visible(tomas.getByRole('button', { name: /^Telefonní linka nedostupná/ }));
  await visible(channelSwitch(tomas, 'Telefon'));
  assert.ok(await stillSameDocument(tomas), 'Tomáš did not reload');
  await screenshot(tomas, 'admin-users-5-handset-appeared-cs');

  // Taken away again: the handset goes.
  await row.getByRole('button', { name: 'Upravit: Tomáš Dvořák' }).click();
  await admin.getByRole('region', { name: 'Úprava: Tomáš Dvořák' }).getByRole('checkbox', { name: 'Telefon' }).uncheck();
  await admin.getByRole('region', { name: 'Úprava: Tomáš Dvořák' }).getByRole('button', { name: 'Uložit' }).click();
  await visible(admin.getByRole('status').getByText('Uloženo.'));
  await tomas.getByRole('button', { name: /^Telefonní linka/ }).waitFor({ state: 'detached' });
  assert.ok(await stillSameDocument(tomas), 'Tomáš did not reload');

  // Groups in Czech, with the built-in one fixed.
  await admin.getByRole('link', { name: 'Skupiny' }).click();
  const groups = admin.getByRole('table', { name: 'Skupiny' });
  await visible(groups.getByRole('row', { name: /Vestavěná/ }).getByText('všichni'));
  await expectClean(admin, 'groups list (cs)');
  await tomasContext.close();
  await adminContext.close();
});

test('an admin gives the phone to a working operator and the handset appears without a reload (en)', async () => {
  const tomasContext = await newContext(env.browser, 'en-US');
  const tomas = await tomasContext.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test');
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online'));
  await visible(channelSwitch(tomas, 'E-mail'));
  assert.equal(await tomas.getByRole('button', { name: /^Phone line/ }).count(), 0);
  await markDocument(tomas);

  const adminContext = await newContext(env.browser, 'en-US', AXE);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  await admin.goto(`${env.server.url}/admin/users`);
  const row = admin.getByRole('table', { name: 'Users' }).getByRole('row', { name: /Tomáš Dvořák/ });
  await row.getByRole('button', { name: 'Edit Tomáš Dvořák' }).click();
  const form = admin.getByRole('region', { name: 'Edit Tomáš Dvořák' });
  await form.getByRole('checkbox', { name: 'Phone' }).check();
  await form.getByLabel('Phone extension').fill('208');
  await form.getByRole('button', { name: 'Save' }).click();
  await visible(admin.getByRole('status').getByText('Saved.'));
  await visible(row.getByText('Chat ×2, E-mail ×5, Phone (ext. 208)'));

  await visible(tomas.getByRole('button', { name: /^Phone line unavailable/ }));
  await visible(channelSwitch(tomas, 'Phone'));
  assert.ok(await stillSameDocument(tomas), 'Tomáš did not reload');
  await screenshot(tomas, 'admin-users-8-handset-appeared-en');
  await tomasContext.close();
  await adminContext.close();
});
