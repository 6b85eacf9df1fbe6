// Canned answers: Jana keeps her own on her profile page and the admin the company's in
// Administration; in a conversation "/" and the shortcut offer them, the keyboard picks one, and
// it goes in with the client's and the operator's names filled in. In English and in Czech.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  CS_LOGIN,
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  seriousA11yViolations,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();
const AXE = { bypassCSP: true };

test('Jana adds her own canned answer and inserts it with /shortcut and Enter (en)', async () => {
  const janaContext = await newContext(env.browser, 'en-US', AXE);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  await jana.goto(`${env.server.url}/profile`);
  const mine = await visible(jana.getByRole('region', { name: 'My canned answers' }));
  await visible(mine.getByText('No canned answers yet.'));
  const form = mine.getByRole('form', { name: 'New canned answer' });
  await form.getByLabel('Shortcut').fill('/Price');
  await form.getByLabel('Title (optional)').fill('Price list');
  await form.getByLabel('Text').fill('A cup costs 65 CZK, {client_name}.');
  await form.getByRole('button', { name: 'Add' }).click();
  await visible(mine.getByText('/price'));
  assert.deepEqual(await seriousA11yViolations(jana), [], 'my canned answers');
  await screenshot(jana, 'canned-1-profile');

  // A client starts a chat; Jana takes it.
  const clientContext = await newContext(env.browser);
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Karel');
  await widget.getByRole('button', { name: 'Start chat' }).click();
  await jana.goto(env.server.url);
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel' }));
  const composer = conversation.getByRole('textbox', { name: 'Message' });
  await composer.pressSequentially('Hello! /pr');
  const list = await visible(conversation.getByRole('listbox', { name: 'Canned answers' }));
  const option = list.getByRole('option', { name: /\/price/ });
  assert.equal(await option.getAttribute('aria-selected'), 'true');
  assert.equal(await composer.getAttribute('aria-activedescendant'), await option.getAttribute('id'));
  assert.deepEqual(await seriousA11yViolations(jana), [], 'the composer with the canned answers open');
  await screenshot(jana, 'canned-2-composer');
  await composer.press('Enter');
  assert.equal(await composer.inputValue(), 'Hello! A cup costs 65 CZK, Karel.');
  assert.equal(await list.count(), 0, 'the list closed');
  // Escape closes the list and leaves the text as typed.
  await composer.pressSequentially(' /pr');
  await visible(conversation.getByRole('listbox', { name: 'Canned answers' }));
  await composer.press('Escape');
  assert.equal(await conversation.getByRole('listbox').count(), 0);
  assert.equal(await composer.inputValue(), 'Hello! A cup costs 65 CZK, Karel. /pr');
  await composer.fill('Hello! A cup costs 65 CZK, Karel.');
  await composer.press('Enter');
  await visible(widget.getByRole('log', { name: 'Messages' }).getByText('Hello! A cup costs 65 CZK, Karel.'));
  await janaContext.close();
  await clientContext.close();
});

test('administrátorka přidá firemní odpověď a Jana ji vloží zkratkou s Tabem (cs)', async () => {
  const adminContext = await newContext(env.browser, 'cs-CZ', AXE);
  const admin = await adminContext.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: CS_LOGIN });
  await visible(admin.getByRole('button', { name: /Alena Administrátorová/ }));
  await admin.goto(`${env.server.url}/admin/canned`);
  const company = await visible(admin.getByRole('region', { name: 'Připravené odpovědi firmy' }));
  const form = company.getByRole('form', { name: 'Nová připravená odpověď' });
  await form.getByLabel('Zkratka').fill('pozdrav');
  await form.getByLabel('Text').fill('Dobrý den, {client_name}! Jmenuji se {operator_name}.');
  await form.getByRole('button', { name: 'Přidat' }).click();
  await visible(company.getByText('/pozdrav'));
  // A typo, mended.
  await company.getByRole('button', { name: 'Upravit /pozdrav' }).click();
  const edit = company.getByRole('form', { name: 'Úprava připravené odpovědi' });
  await edit.getByLabel('Název (nepovinný)').fill('Pozdrav');
  await edit.getByRole('button', { name: 'Uložit změny' }).click();
  await visible(company.getByText('Pozdrav', { exact: true }));
  assert.deepEqual(await seriousA11yViolations(admin), [], 'company canned answers (cs)');
  await screenshot(admin, 'canned-3-admin-cs');

  const janaContext = await newContext(env.browser, 'cs-CZ', AXE);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));
  const clientContext = await newContext(env.browser, 'cs-CZ');
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url, { button: 'Napište nám' });
  // No name: the greeting leaves no gap.
  await widget.getByRole('button', { name: 'Začít chat' }).click();
  const item = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').first();
  await item.getByRole('button', { name: 'Přijmout', exact: true }).click();
  const composer = jana.getByRole('textbox', { name: 'Zpráva' });
  await visible(composer);
  await composer.pressSequentially('/poz');
  await visible(jana.getByRole('listbox', { name: 'Připravené odpovědi' }).getByRole('option', { name: /\/pozdrav/ }));
  await composer.press('Tab');
  assert.equal(await composer.inputValue(), 'Dobrý den! Jmenuji se Jana Nováková.');
  await composer.press('Enter');
  await visible(widget.getByText('Dobrý den! Jmenuji se Jana Nováková.'));
  await adminContext.close();
  await janaContext.close();
  await clientContext.close();
});
