// Issue 12, "A reload loses the open conversation": the open conversation lives in the address
// (/c/<session id>), so a reload reopens it and Back returns to the panel.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { logIn, newContext, profileButton, serverAndBrowser, visible, widgetChat } from '../lib/hovor.mjs';

const env = serverAndBrowser();

test('a reload keeps the open conversation, and Back closes it', async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const { context: clientContext, widget } = await widgetChat(env.browser, env.server.url, 'Karel Reload');

  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Reload' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel Reload' }));
  assert.match(new URL(jana.url()).pathname, /^\/c\/ses_[a-z0-9]+$/);
  await conversation.getByRole('textbox', { name: 'Message' }).fill('Hello, Karel.');
  await conversation.getByRole('textbox', { name: 'Message' }).press('Enter');
  await visible(conversation.getByRole('log', { name: 'Messages' }).getByText('Hello, Karel.', { exact: true }));

  await jana.reload();
  const again = await visible(jana.getByRole('region', { name: 'Conversation with Karel Reload' }));
  await visible(again.getByRole('log', { name: 'Messages' }).getByText('Hello, Karel.', { exact: true }));

  // Back: the panel; Forward: the conversation again.
  await jana.goBack();
  await visible(jana.getByRole('heading', { name: 'Hello', exact: true }));
  assert.equal(new URL(jana.url()).pathname, '/');
  await jana.goForward();
  await visible(jana.getByRole('region', { name: 'Conversation with Karel Reload' }));

  // Karel writes while Jana reads the conversation.
  await widget.getByRole('textbox', { name: 'Message' }).fill('Are you there?');
  await widget.getByRole('textbox', { name: 'Message' }).press('Enter');
  await visible(jana.getByRole('log', { name: 'Messages' }).getByText('Are you there?', { exact: true }));

  // "Back to the panel" puts the address back too.
  await jana.getByRole('button', { name: /Back to the panel/ }).click();
  assert.equal(new URL(jana.url()).pathname, '/');

  // A reload on the panel: what she read stays read (no unread badge comes back).
  await jana.reload();
  const mine = jana.getByRole('listitem').filter({ hasText: 'Karel Reload' });
  await visible(mine.getByRole('button'));
  await jana.waitForTimeout(500);
  assert.equal(await mine.locator('.unread-badge').count(), 0, 'no unread badge for a message already read');
  await clientContext.close();
  await janaContext.close();
});
