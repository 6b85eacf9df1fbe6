// Queue places: a waiting client's place: the widget shows it, in Czech, and moves it up when someone ahead
// leaves (the server tells only the clients whose place moved).
import { test } from 'node:test';
import {
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  serverAndBrowser,
  visible,
} from '../lib/hovor.mjs';

const env = serverAndBrowser();

async function startChat(name) {
  const r = await fetch(`${env.server.url}/api/v1/client/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ company: 'demo', channel: 'chat', name }),
  });
  if (r.status !== 201) throw new Error(`start chat: ${r.status} ${await r.text()}`);
  return r.json();
}

test('the widget shows its place in the queue and moves up when the client ahead leaves', async () => {
  // Jana is online (her open workspace), so chats may start; she takes none.
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  // Two clients ahead: the first is offered to Jana, the second waits.
  const first = await startChat('Adam');
  const second = await startChat('Bára');

  const clientContext = await newContext(env.browser, 'cs-CZ');
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url, { button: 'Napište nám' });
  await widget.getByLabel('Vaše jméno').fill('Cyril');
  await widget.getByRole('button', { name: 'Začít chat' }).click();
  await visible(widget.getByText(/Jste 3\. ve frontě/));
  await screenshot(client, 'queue-1-third-cs');

  // Bára gives up: Cyril is second now.
  const left = await fetch(`${env.server.url}/api/v1/client/sessions/${second.session.id}/leave`, {
    method: 'POST',
    headers: { authorization: `Bearer ${second.client_token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  if (left.status !== 200) throw new Error(`leave: ${left.status}`);
  await visible(widget.getByText(/Jste 2\. ve frontě/));
  await screenshot(client, 'queue-2-second-cs');

  // Adam gives up too: Cyril is first.
  await fetch(`${env.server.url}/api/v1/client/sessions/${first.session.id}/leave`, {
    method: 'POST',
    headers: { authorization: `Bearer ${first.client_token}`, 'content-type': 'application/json' },
    body: '{}',
  });
  await visible(widget.getByText(/Jste 1\. ve frontě|Spojujeme vás s operátorem/));
  await clientContext.close();
  await janaContext.close();
});
