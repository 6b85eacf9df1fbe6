// Issue 12, "Workspace": the client is told who serves them. Jana joins, then passes the client on to
// Tomáš with a note; the widget says she passed them on, then that Tomáš joined. Tomáš reads the note
// in the conversation, marked as one the client does not see, and the client never sees it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIn, newContext, profileButton, screenshot, serverAndBrowser, visible, widgetChat } from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a transfer: the client sees Jana pass them on and Tomáš join', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  // Only Jana is online: the chat is offered to her.
  const { context: clientContext, page: client, widget } = await widgetChat(env.browser, env.server.url, 'Karel Klient');
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await (await visible(item)).getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel Klient' }));
  await visible(widget.getByText('Jana Nováková has joined the chat.'));

  const tomasContext = await newContext(env.browser);
  const tomas = await tomasContext.newPage();
  await logIn(tomas, env.server.url, 'tomas@demo.test');
  await visible(profileButton(tomas, 'Tomáš Dvořák', 'Online'));

  // Jana passes the client on to Tomáš with a note.
  const transfer = jana.getByRole('region', { name: 'Transfer' });
  await (await visible(transfer.getByLabel('Transfer to'))).selectOption({ label: 'Tomáš Dvořák' });
  await transfer.getByLabel('Note for the colleague').fill('Asks about oat milk.');
  await transfer.getByRole('button', { name: 'Transfer', exact: true }).click();
  await visible(widget.getByText('Jana Nováková has passed you on to a colleague.'));
  await screenshot(client, 'transfer-1-widget-passed-on');
  // The conversation leaves Jana's workspace.
  await conversation.waitFor({ state: 'detached' });

  // Tomáš gets the offer and accepts; the client sees him join, and he reads Jana's note.
  const offered = tomas.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await (await visible(offered)).getByRole('button', { name: 'Accept', exact: true }).click();
  const his = await visible(tomas.getByRole('region', { name: 'Conversation with Karel Klient' }));
  await visible(widget.getByText('Tomáš Dvořák has joined the chat.'));
  await visible(his.getByText(/Asks about oat milk\./));
  await visible(his.getByText('Note for colleagues (the client does not see it)'));
  await screenshot(tomas, 'transfer-3-note');
  // The note is for colleagues: the client never sees it.
  await visible(widget.getByText('Tomáš Dvořák has joined the chat.'));
  assert.equal(await widget.getByText(/oat milk/).count(), 0, 'the note stays with the operators');
  await screenshot(client, 'transfer-2-widget-joined');

  await clientContext.close();
  await tomasContext.close();
  await janaContext.close();
});
