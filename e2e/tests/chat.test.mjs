// The whole chat: a client on the demo website starts a chat in the widget, Jana accepts it from the
// Queue, they exchange messages (HTML stays text on both sides), the client reloads and rejoins the
// same conversation, and Jana ends it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  channelSwitch,
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const EVIL = '<img src=x onerror=alert(1)>';

const env = serverAndBrowser();

test('a client chats with Jana through the widget; HTML stays text; a reload rejoins', async () => {
  const dialogs = [];
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  jana.on('dialog', (d) => {
    dialogs.push(`jana: ${d.message()}`);
    void d.dismiss();
  });
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  // Chat is switched on for Jana in the demo.
  const chat = await visible(channelSwitch(jana, 'Chat'));
  assert.equal(await chat.getAttribute('aria-checked'), 'true');
  await visible(jana.getByRole('region', { name: 'Queue' }).getByText('Nobody is waiting.'));

  const clientContext = await newContext(env.browser);
  const client = await clientContext.newPage();
  client.on('dialog', (d) => {
    dialogs.push(`client: ${d.message()}`);
    void d.dismiss();
  });
  const widget = await openWidget(client, env.server.url);
  // The host page's hostile CSS does not reach into the widget.
  const look = await client.getByRole('button', { name: 'Start chat' }).evaluate((el) => {
    const s = getComputedStyle(el);
    return { font: s.fontFamily, color: s.color, background: s.backgroundColor };
  });
  assert.match(look.font, /system-ui/, JSON.stringify(look));
  assert.doesNotMatch(look.font, /courier/i);
  assert.notEqual(look.color, 'rgb(255, 0, 0)');
  assert.notEqual(look.background, 'rgb(255, 105, 180)');
  await widget.getByLabel('Your name').fill('Karel Klient');
  await widget.getByLabel('E-mail').fill('karel@example.com');
  await widget.getByRole('button', { name: 'Start chat' }).click();
  await visible(widget.getByText(/You are number 1 in the queue|Connecting you/));

  // Jana sees the client in the Queue (offered to her, with a countdown) and accepts.
  const queue = jana.getByRole('region', { name: 'Queue' });
  const item = queue.getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await visible(item);
  await visible(item.getByText(/demo-site/));
  await screenshot(jana, 'chat-1-queue');
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel Klient' }));
  // The client sees who joined.
  await visible(widget.getByText('Jana Nováková has joined the chat.'));
  await visible(jana.getByRole('complementary').getByText('karel@example.com'));

  const composer = conversation.getByRole('textbox', { name: 'Message' });
  await composer.fill('Hello, how can I help?');
  await composer.press('Enter');
  await visible(conversation.getByRole('log', { name: 'Messages' }).getByText('Hello, how can I help?', { exact: true }));

  // The client gets it live and answers with something that looks like HTML.
  const clientLog = widget.getByRole('log', { name: 'Messages' });
  await visible(clientLog.getByText('Hello, how can I help?', { exact: true }));
  await visible(clientLog.getByText('Jana Nováková'));
  const clientBox = widget.getByRole('textbox', { name: 'Message' });
  await clientBox.fill(EVIL);
  await clientBox.press('Enter');
  await visible(clientLog.getByText(EVIL, { exact: true }));
  await visible(conversation.getByRole('log', { name: 'Messages' }).getByText(EVIL, { exact: true }));
  await clientBox.fill('Do you have oat milk?');
  await widget.getByRole('button', { name: 'Send', exact: true }).click();
  await visible(conversation.getByText('Do you have oat milk?', { exact: true }));
  assert.equal(await client.locator('img').count(), 0, 'no <img> was created on the client page');
  assert.equal(await jana.locator('.messages img').count(), 0, 'no <img> was created in the workspace');
  await screenshot(jana, 'chat-2-conversation');
  await screenshot(client, 'chat-3-widget');

  // A reload rejoins the same conversation with every message exactly once.
  await client.reload();
  const again = await visible(client.getByRole('dialog', { name: 'Chat with us' }));
  const log2 = again.getByRole('log', { name: 'Messages' });
  await visible(log2.getByText('Do you have oat milk?', { exact: true }));
  for (const text of ['Hello, how can I help?', EVIL, 'Do you have oat milk?']) {
    assert.equal(await log2.getByText(text, { exact: true }).count(), 1, `"${text}" shown once`);
  }
  // …and keeps working after the reload.
  await conversation.getByRole('textbox', { name: 'Message' }).fill('Yes, we do.');
  await conversation.getByRole('button', { name: 'Send', exact: true }).click();
  await visible(log2.getByText('Yes, we do.', { exact: true }));
  assert.equal(await log2.getByText('Yes, we do.', { exact: true }).count(), 1);

  // Jana ends the conversation (it asks first); the client sees it ended and may start a new one.
  await jana.getByRole('button', { name: 'End', exact: true }).click();
  const ask = await visible(jana.getByRole('group', { name: /^End this conversation\?/ }));
  await screenshot(jana, 'chat-3b-end-asks');
  await ask.getByRole('button', { name: 'Yes, end it' }).click();
  await visible(again.getByText('The conversation has ended.'));
  await visible(again.getByRole('button', { name: 'Start a new chat' }));
  await visible(conversation.getByText('The conversation was ended by the operator.'));
  await screenshot(client, 'chat-4-ended');

  await jana.waitForTimeout(300);
  assert.deepEqual(dialogs, [], 'no dialog fired');
  await clientContext.close();
  await janaContext.close();
});
