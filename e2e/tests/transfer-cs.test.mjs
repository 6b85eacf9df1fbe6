// The transfer of transfer.test.mjs in Czech: the widget's lines name the operator without saying
// whether they are a man or a woman ("Je tu pro vás …", "… vás přepojuje"), and the operators'
// workspace speaks Czech too (the transfer's note, the conversation's name).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CS_LOGIN, logIn, newContext, profileButton, screenshot, serverAndBrowser, visible, widgetChat } from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a transfer in Czech: the client sees Jana pass them on and Tomáš join', async () => {
  const janaContext = await newContext(env.browser, 'cs-CZ');
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));

  const { context: clientContext, page: client, widget } = await widgetChat(env.browser, env.server.url, 'Karel Klient', {
    locale: 'cs-CZ',
    nameLabel: 'Vaše jméno',
    start: 'Začít chat',
    button: 'Napište nám',
  });
  const item = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await (await visible(item)).getByRole('button', { name: 'Přijmout', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Konverzace: Karel Klient' }));
  await visible(widget.getByText('Je tu pro vás Jana Nováková.'));
  await screenshot(client, 'transfer-cs-1-widget-joined');

  const tomasContext = await newContext(env.browser, 'cs-CZ');
  const tomas = await tomasContext.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online', 'Profil'));

  const transfer = jana.getByRole('region', { name: 'Přepojení' });
  await (await visible(transfer.getByLabel('Přepojit na'))).selectOption({ label: 'Tomáš Dvořák' });
  await transfer.getByLabel('Poznámka k přepojení').fill('Ptá se na ovesné mléko.');
  await screenshot(jana, 'transfer-cs-2-workspace');
  await transfer.getByRole('button', { name: 'Přepojit', exact: true }).click();
  await visible(widget.getByText('Jana Nováková vás přepojuje.', { exact: false }));
  await screenshot(client, 'transfer-cs-3-widget-passed-on');
  await conversation.waitFor({ state: 'detached' });

  const offered = tomas.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await (await visible(offered)).getByRole('button', { name: 'Přijmout', exact: true }).click();
  const his = await visible(tomas.getByRole('region', { name: 'Konverzace: Karel Klient' }));
  await visible(widget.getByText('Je tu pro vás Tomáš Dvořák.'));
  // The transfer's notice in Czech (the server stores its meaning beside the English text).
  await visible(his.getByText('Předáno: Tomáš Dvořák – Ptá se na ovesné mléko.', { exact: true }));
  await visible(his.getByText('Poznámka pro kolegy (klient ji nevidí)'));
  await screenshot(tomas, 'transfer-cs-4-note');
  assert.equal(await widget.getByText(/ovesné mléko/).count(), 0, 'the note stays with the operators');

  await clientContext.close();
  await tomasContext.close();
  await janaContext.close();
});
