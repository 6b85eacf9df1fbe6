// Audio and video calls with Chromium's fake camera and microphone: a client starts a video call
// from the widget, Jana takes it, both peer connections connect and video frames flow both ways;
// muting and the camera switch are seen on the other side; "Back to chat" keeps the conversation.
// In Czech: Jana offers a call in a chat, the client declines, and both read the system message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  apiSession,
  launchBrowser,
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  seriousA11yViolations,
  startServer,
  CS_LOGIN,
  visible,
} from '../lib/hovor.mjs';

const env = { server: null, browser: null };
before(async () => {
  env.server = await startServer();
  env.browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
});
after(async () => {
  await env.browser?.close();
  await env.server?.stop();
});

/** Records every RTCPeerConnection a page makes, so the test can read their stats. */
function recordPeerConnections() {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

/** The browser blocks the camera for the page (the microphone stays allowed), as a user who said no would. */
function blockCamera() {
  const devices = navigator.mediaDevices;
  const original = devices.getUserMedia.bind(devices);
  devices.getUserMedia = (constraints) =>
    constraints && constraints.video ? Promise.reject(new DOMException('camera blocked', 'NotAllowedError')) : original(constraints);
  const query = navigator.permissions.query.bind(navigator.permissions);
  navigator.permissions.query = (d) => (d && d.name === 'camera' ? Promise.resolve({ state: 'denied' }) : query(d));
}

/** The network lets no connection through: only relayed candidates, and there is no relay. */
function blockTheNetwork() {
  const Recorded = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Recorded {
    constructor(config = {}) {
      super({ ...config, iceServers: [], iceTransportPolicy: 'relay' });
    }
  };
}

async function callContext(locale, ...scripts) {
  const context = await newContext(env.browser, locale, { bypassCSP: true });
  await context.addInitScript(recordPeerConnections);
  for (const script of scripts) await context.addInitScript(script);
  return context;
}

/** Jana logged in (English) and Online, in a context recording its peer connections. */
async function janaOnline(...scripts) {
  const context = await callContext('en-US', ...scripts);
  const page = await context.newPage();
  await logIn(page, env.server.url, 'jana@demo.test');
  await visible(profileButton(page, 'Jana Nováková', 'Online'));
  return { context, page };
}

/** Frames decoded by the page's connected connections, counted from now. */
async function audioFlows(page, who) {
  for (let i = 0; i < 40; i++) {
    const bytes = await page.evaluate(async () => {
      let total = 0;
      for (const pc of window.__pcs) {
        if (pc.connectionState !== 'connected') continue;
        (await pc.getStats()).forEach((r) => {
          if (r.type === 'inbound-rtp' && r.kind === 'audio') total += r.bytesReceived ?? 0;
        });
      }
      return total;
    });
    if (bytes > 2000) return bytes;
    await page.waitForTimeout(250);
  }
  assert.fail(`${who}: no audio arriving`);
}

/** The page's connected peer connections, and the video frames they have decoded so far. */
function mediaStats(page) {
  return page.evaluate(async () => {
    let frames = 0;
    let connected = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      connected += 1;
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
      });
    }
    return { connected, frames };
  });
}

/** Video frames keep arriving: the count rises over a second and a half. */
async function framesFlow(page, who) {
  let first = null;
  for (let i = 0; i < 40; i++) {
    const s = await mediaStats(page);
    if (s.connected >= 1 && s.frames > 0) {
      if (first === null) first = s.frames;
      else if (s.frames > first + 5) return s;
    }
    await page.waitForTimeout(250);
  }
  assert.fail(`${who}: no video frames flowing (${JSON.stringify(await mediaStats(page))})`);
}

test('a client calls from the widget, Jana takes it, video flows both ways, and they drop back to chat', async () => {
  const { context: janaContext, page: jana } = await janaOnline();

  const clientContext = await callContext('en-US');
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Karel Klient');
  // Someone can take a call now, so the widget offers one.
  await widget.getByRole('button', { name: 'Video call', exact: true }).click();
  await visible(widget.getByText('Calling… an operator will answer shortly.'));

  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel Klient' });
  await visible(item);
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel Klient' }));
  // The running call sits above the conversation, in its own region.
  const call = await visible(jana.getByRole('region', { name: 'Call with Karel Klient' }));
  await visible(call.getByText(/Connected · \d+:\d\d/));
  await visible(widget.getByText(/In a call · \d+:\d\d/));
  const janaStats = await framesFlow(jana, 'Jana');
  const clientStats = await framesFlow(client, 'client');
  assert.equal(janaStats.connected, 1);
  assert.equal(clientStats.connected, 1);
  await visible(conversation.getByText('Video call started'));
  await visible(call.getByText('Client’s microphone on · microphone permission: allowed'));
  await screenshot(jana, 'call-1-operator');
  await screenshot(client, 'call-1-client');
  assert.deepEqual(await seriousA11yViolations(jana), [], 'the running call in the workspace');
  assert.deepEqual(await seriousA11yViolations(client, { include: { include: [['hovor-widget']] } }), [], 'the running call in the widget');

  // The client mutes and turns the camera off: Jana sees both.
  await widget.getByRole('button', { name: 'Mute', exact: true }).click();
  await visible(call.getByText(/Client muted their microphone/));
  await widget.getByRole('button', { name: 'Turn camera off' }).click();
  await visible(call.getByText(/Client’s camera is off/));
  // Jana mutes: the client reads it.
  await call.getByRole('button', { name: 'Mute', exact: true }).click();
  await visible(widget.getByText('The operator has muted their microphone.'));
  await call.getByRole('button', { name: 'Turn camera off' }).click();
  await visible(widget.getByText('The operator’s camera is off.'));

  // Another client writes meanwhile; Jana answers that chat, and the call goes on above it.
  const otherContext = await newContext(env.browser);
  const other = await otherContext.newPage();
  const otherWidget = await openWidget(other, env.server.url);
  await otherWidget.getByLabel('Your name').fill('Petra');
  await otherWidget.getByRole('button', { name: 'Start chat' }).click();
  await jana
    .getByRole('region', { name: 'Queue' })
    .getByRole('listitem')
    .filter({ hasText: 'Petra' })
    .getByRole('button', { name: 'Accept', exact: true })
    .click();
  const petra = await visible(jana.getByRole('region', { name: 'Conversation with Petra' }));
  await petra.getByRole('textbox', { name: 'Message' }).fill('One moment, please.');
  await petra.getByRole('textbox', { name: 'Message' }).press('Enter');
  await visible(otherWidget.getByText('One moment, please.'));
  await visible(call.getByText(/Connected · \d+:\d\d/));
  await framesFlow(client, 'client while Jana writes to another client');
  await screenshot(jana, 'call-1b-dock-while-chatting');
  // Done with Petra (her chat seat is free again), back to the call's conversation.
  await jana.getByRole('button', { name: 'End', exact: true }).click();
  await jana.getByRole('button', { name: 'Yes, end it' }).click();
  await petra.getByRole('button', { name: 'Close conversation' }).click();
  await call.getByRole('button', { name: 'Open the conversation' }).click();
  await visible(jana.getByRole('region', { name: 'Conversation with Karel Klient' }));
  await otherContext.close();

  // Back to chat: the call ends, the conversation goes on.
  await widget.getByRole('button', { name: 'Back to chat' }).click();
  await visible(widget.getByText(/The call ended after \d+:\d\d/));
  await visible(conversation.getByText(/Call ended by the client after \d+:\d\d/));
  assert.equal(await jana.locator('video').count(), 0);
  assert.equal(await widget.locator('video').count(), 0);
  const composer = conversation.getByRole('textbox', { name: 'Message' });
  await composer.fill('Let us go on here.');
  await composer.press('Enter');
  await visible(widget.getByRole('log', { name: 'Messages' }).getByText('Let us go on here.'));
  // The cameras and microphones are released on both sides.
  const live = (page) => page.evaluate(() => window.__pcs.filter((pc) => pc.connectionState !== 'closed').length);
  assert.equal(await live(jana), 0);
  assert.equal(await live(client), 0);
  await screenshot(client, 'call-2-back-to-chat');
  await janaContext.close();
  await clientContext.close();
});

test('v češtině: Jana nabídne videohovor v chatu, klient ho odmítne a oba si přečtou zprávu', async () => {
  const janaContext = await callContext('cs-CZ');
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test', { labels: CS_LOGIN });
  await visible(profileButton(jana, 'Jana Nováková', 'Online', 'Profil'));

  const clientContext = await callContext('cs-CZ');
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url, { button: 'Napište nám' });
  await widget.getByLabel('Vaše jméno').fill('Marie');
  await widget.getByRole('button', { name: 'Začít chat' }).click();
  const item = jana.getByRole('region', { name: 'Fronta' }).getByRole('listitem').filter({ hasText: 'Marie' });
  await visible(item);
  await item.getByRole('button', { name: 'Přijmout', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: /Marie/ }));

  await conversation.getByRole('button', { name: 'Videohovor', exact: true }).click();
  await visible(conversation.getByText('Voláme: Marie (video)…'));
  await visible(widget.getByText('Jana Nováková vás zve k\u00a0videohovoru.'));
  await screenshot(client, 'call-3-invite-cs');
  assert.deepEqual(await seriousA11yViolations(client, { include: { include: [['hovor-widget']] } }), [], 'the invitation to a call in the widget');
  await widget.getByRole('button', { name: 'Odmítnout' }).click();
  await visible(widget.getByText('Hovor jste odmítli'));
  await visible(conversation.getByText('Klient hovor odmítl(a)'));
  // The chat goes on, and Jana may offer again.
  await visible(conversation.getByRole('button', { name: 'Videohovor', exact: true }));
  await screenshot(jana, 'call-4-declined-cs');
  await janaContext.close();
  await clientContext.close();
});

test('a caller who would rather write cancels the call while waiting, and Jana takes a chat', async () => {
  const { context: janaContext, page: jana } = await janaOnline();
  const clientContext = await callContext('en-US');
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Libor');
  await widget.getByRole('button', { name: 'Audio call', exact: true }).click();
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Libor' });
  await visible(item);
  await widget.getByRole('button', { name: 'Cancel the call' }).click();
  await visible(widget.getByText('The call was cancelled'));
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Libor' }));
  await visible(conversation.getByText('The client cancelled the call'));
  await visible(conversation.getByText('Chat', { exact: true }));
  assert.equal(await jana.locator('video').count(), 0);
  assert.equal(await client.evaluate(() => window.__pcs.length), 0, 'no connection was made');
  await janaContext.close();
  await clientContext.close();
});

test('an invitation starts with a video call; the client\'s blocked camera is shown to Jana; reloads on both sides rejoin the call', async () => {
  const api = await apiSession(env.server.url, 'jana@demo.test');
  const made = await api('POST', '/api/v1/invitations', {});
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const { context: janaContext, page: jana } = await janaOnline();

  const clientContext = await callContext('en-US', blockCamera);
  const client = await clientContext.newPage();
  await client.goto(made.body.url);
  const region = await visible(client.getByRole('region', { name: 'Conversation with Jana Nováková' }));
  await region.getByRole('button', { name: 'Video call', exact: true }).click();
  await visible(region.getByText('Calling… an operator will answer shortly.'));

  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Anonymous' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Anonymous' }));
  // The client's browser refused the camera: the call goes on with voice, and Jana is told why.
  const call = await visible(jana.getByRole('region', { name: 'Call with Anonymous' }));
  await visible(call.getByText('Client’s camera is off · camera permission: blocked in the browser'));
  await visible(conversation.getByText('Video call started'));
  await visible(region.getByText('Your browser blocks the camera for this page; the operator hears you but does not see you.'));
  await framesFlow(client, 'client (Jana’s camera)');
  await audioFlows(jana, 'Jana (the client’s voice)');

  // The client reloads: the widget rejoins the conversation and the call connects again.
  await client.reload();
  const again = await visible(client.getByRole('region', { name: 'Conversation with Jana Nováková' }));
  await visible(again.getByText(/In a call · \d+:\d\d/));
  await framesFlow(client, 'client after its reload');
  // Jana reloads: her workspace asks for a fresh connection, and the video flows again.
  await jana.reload();
  await visible(jana.getByRole('region', { name: 'Conversation with Anonymous' }));
  const reopened = await visible(jana.getByRole('region', { name: 'Call with Anonymous' }));
  await visible(reopened.getByText(/Connected · \d+:\d\d/));
  await framesFlow(client, 'client after Jana’s reload');
  await audioFlows(jana, 'Jana after her reload');
  await screenshot(jana, 'call-5-camera-blocked');
  // A second tab of Jana's with the same conversation waits; it takes the call over when the first closes.
  const second = await janaContext.newPage();
  await second.goto(jana.url());
  const there = await visible(second.getByRole('region', { name: 'Call with Anonymous' }));
  await visible(there.getByText('This call runs in another tab of Hovor. Close that tab to take it here.'));
  await jana.close();
  await visible(there.getByText(/Connected · \d+:\d\d/));
  await framesFlow(client, 'client after the second tab took over');
  await there.getByRole('button', { name: 'Back to chat' }).click();
  await visible(again.getByText(/The call ended after/));
  await janaContext.close();
  await clientContext.close();
});

test('a call the network blocks is explained to both sides, and the chat goes on', async () => {
  const { context: janaContext, page: jana } = await janaOnline(blockTheNetwork);
  const clientContext = await callContext('en-US', blockTheNetwork);
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Olga');
  await widget.getByRole('button', { name: 'Audio call', exact: true }).click();
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Olga' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Olga' }));
  const call = await visible(jana.getByRole('region', { name: 'Call with Olga' }));
  await visible(call.getByText('Connecting the call…'));
  // Jana's browser tries a second connection before it gives up: two rounds of 20 s at most.
  const failed = 'The call could not be connected: the network between you and the client blocks it. Go on in the chat, or try the call again later.';
  await visible(call.getByText(failed), 60_000);
  await visible(widget.getByText('The call could not be connected: your network or a firewall blocks it. Let us go on in the chat.'), 10_000);
  await screenshot(client, 'call-6-failed');
  await widget.getByRole('button', { name: 'Back to chat' }).click();
  await visible(conversation.getByText(/Call ended by the client after/));
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.fill('Never mind, let us write.');
  await box.press('Enter');
  await visible(conversation.getByText('Never mind, let us write.'));
  await janaContext.close();
  await clientContext.close();
});
