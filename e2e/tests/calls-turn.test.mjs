// A call through a TURN relay: Hovor started with a real coturn (Debian's `coturn`, on loopback) as
// its TURN server, and both browsers allowed to use relayed candidates only, as behind a network
// that lets nothing else through. The video flows both ways, so Hovor's credentials open relays that
// carry a real call.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import { freePort, launchBrowser, logIn, newContext, openWidget, profileButton, screenshot, startServer, visible } from '../lib/hovor.mjs';

const env = { server: null, browser: null, coturn: null, skipped: null };

function coturnFound() {
  return spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' }).status === 0;
}

before(async () => {
  if (!coturnFound()) {
    // CI installs coturn (.ci/run): there a missing one is a failure, here it says so.
    if (process.env.CI) throw new Error('turnserver (Debian coturn) is missing');
    env.skipped = 'turnserver (Debian coturn) is not installed';
    return;
  }
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  env.coturn = spawn(
    'turnserver',
    [
      '-n',
      `--listening-port=${port}`,
      '--listening-ip=127.0.0.1',
      '--relay-ip=127.0.0.1',
      '--use-auth-secret',
      `--static-auth-secret=${secret}`,
      '--realm=hovor.test',
      '--allow-loopback-peers',
      '--no-tls',
      '--no-dtls',
      '--no-cli',
      '--log-file=stdout',
      '--simple-log',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  env.coturn.stdout.on('data', (d) => (log += d));
  env.coturn.stderr.on('data', (d) => (log += d));
  const deadline = Date.now() + 10_000;
  while (!/listener opened on|Total General servers/.test(log)) {
    if (env.coturn.exitCode !== null || Date.now() > deadline) throw new Error(`turnserver did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  env.server = await startServer([`--turn-urls=turn:127.0.0.1:${port}?transport=udp`, `--turn-secret=${secret}`]);
  env.browser = await launchBrowser(['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream']);
});

after(async () => {
  await env.browser?.close();
  await env.server?.stop();
  env.coturn?.kill('SIGTERM');
});

/** Records the page's peer connections and lets them use relayed candidates only. */
function relayOnly() {
  const Original = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Original {
    constructor(config = {}) {
      super({ ...config, iceTransportPolicy: 'relay' });
      window.__pcs.push(this);
    }
  };
}

/** The selected candidate pair of the page's connected connection, and the video frames decoded. */
function relayStats(page) {
  return page.evaluate(async () => {
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = await pc.getStats();
      let frames = 0;
      let localType = null;
      const byId = new Map();
      stats.forEach((r) => byId.set(r.id, r));
      // The pair in use is the transport's selected one (a pair's `nominated` flag can lag behind it).
      stats.forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') frames += r.framesDecoded ?? 0;
        if (r.type === 'transport' && r.selectedCandidatePairId) {
          const pair = byId.get(r.selectedCandidatePairId);
          localType = byId.get(pair?.localCandidateId)?.candidateType ?? localType;
        }
      });
      return { frames, localType, servers: pc.getConfiguration().iceServers?.length ?? 0 };
    }
    return null;
  });
}

async function framesThroughTheRelay(page, who) {
  let first = null;
  for (let i = 0; i < 60; i++) {
    const s = await relayStats(page);
    // Frames may be counted a moment before the stats name the pair they came through.
    if (s && s.frames > 0 && s.localType !== null) {
      assert.equal(s.localType, 'relay', `${who}: the connection runs through the relay`);
      if (first === null) first = s.frames;
      else if (s.frames > first + 5) return s;
    }
    await page.waitForTimeout(250);
  }
  assert.fail(`${who}: no video through a known relay pair (${JSON.stringify(await relayStats(page))})`);
}

test('a video call runs through coturn with the credentials Hovor hands out', async (t) => {
  if (env.skipped) {
    t.skip(env.skipped);
    return;
  }
  const janaContext = await newContext(env.browser, 'en-US', { bypassCSP: true });
  await janaContext.addInitScript(relayOnly);
  const jana = await janaContext.newPage();
  await logIn(jana, env.server.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));
  const clientContext = await newContext(env.browser, 'en-US', { bypassCSP: true });
  await clientContext.addInitScript(relayOnly);
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.server.url);
  await widget.getByLabel('Your name').fill('Rudolf');
  await widget.getByRole('button', { name: 'Video call', exact: true }).click();
  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Rudolf' });
  await item.getByRole('button', { name: 'Accept', exact: true }).click();
  await visible(jana.getByRole('region', { name: 'Conversation with Rudolf' }));
  const call = await visible(jana.getByRole('region', { name: 'Call with Rudolf' }));
  await visible(call.getByText(/Connected · \d+:\d\d/), 30_000);
  const janaSide = await framesThroughTheRelay(jana, 'Jana');
  const clientSide = await framesThroughTheRelay(client, 'client');
  assert.equal(janaSide.servers, 1, 'the workspace was given the TURN server');
  assert.equal(clientSide.servers, 1, 'the widget was given the TURN server');
  await screenshot(client, 'call-turn-client');
  await janaContext.close();
  await clientContext.close();
});
