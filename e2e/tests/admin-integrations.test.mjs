// Issue 14, administration in the app: API keys (the secret shown once, working, then revoked),
// webhooks (the delivery log follows a receiver that was down, a new secret), and the widget snippet
// generator with the real widget previewed in the chosen language and colour. axe-core on each.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { chooseStatus, logIn, newContext, profileButton, screenshot, seriousA11yViolations, serverAndBrowser, visible } from '../lib/hovor.mjs';

// The receiver below listens on 127.0.0.1: this server may send there.
process.env.HOVOR_ALLOW_PRIVATE_WEBHOOKS = '1';
const env = serverAndBrowser();
const AXE = { bypassCSP: true };

async function expectClean(page, what) {
  assert.deepEqual(await seriousA11yViolations(page, {}), [], `${what}: serious or critical accessibility violations`);
}

/** A webhook receiver that answers 503 while `down`. */
async function receiver() {
  const state = { down: true, got: [] };
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (state.down) {
        res.writeHead(503).end();
        return;
      }
      state.got.push(JSON.parse(body));
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return { state, url: `http://127.0.0.1:${port}/hook`, close: () => server.close() };
}

test('API keys and webhooks in the app: secret shown once, deliveries logged, a new secret', async () => {
  const context = await newContext(env.browser, 'en-US', AXE);
  const admin = await context.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  await admin.goto(`${env.server.url}/admin/integrations`);
  const keys = admin.getByRole('region', { name: 'API keys' });
  await keys.getByLabel('New key, named after what uses it').fill('CRM');
  await keys.getByRole('button', { name: 'Create key' }).click();
  const secret = await (await visible(keys.locator('.secret-value'))).innerText();
  assert.match(secret, /^\S{20,}$/);
  const call = () => fetch(`${env.server.url}/api/v1/wallboard`, { headers: { authorization: `Bearer ${secret}` } });
  assert.equal((await call()).status, 200);
  await expectClean(admin, 'integrations');
  await keys.getByRole('button', { name: 'Revoke the key CRM' }).click();
  await keys.getByRole('button', { name: 'Revoke', exact: true }).click();
  await visible(keys.getByText('No API keys yet.'));
  assert.equal((await call()).status, 401);

  // A webhook whose receiver is down at first.
  const hook = await receiver();
  const hooks = admin.getByRole('region', { name: 'Webhooks' });
  await hooks.getByLabel('Address (https://…)').fill(hook.url);
  await hooks.getByRole('checkbox', { name: 'session.created' }).uncheck();
  await hooks.getByRole('checkbox', { name: 'session.ended' }).uncheck();
  await hooks.getByRole('checkbox', { name: 'operator.state_changed' }).check();
  await hooks.getByRole('button', { name: 'Add webhook' }).click();
  const first = await (await visible(hooks.locator('.secret-value'))).innerText();
  // Something happens: the admin steps away.
  await chooseStatus(admin, 'Alena Administrátorová', 'Away');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Away'));
  await hooks.getByRole('button', { name: `Deliveries to ${hook.url}` }).click();
  const log = hooks.getByRole('table', { name: `Deliveries to ${hook.url}` });
  await visible(log.getByText('Failed, will retry').first());
  hook.state.down = false;
  // Reopen the log until the retry (after about a second) has delivered it.
  for (let i = 0; i < 40 && hook.state.got.length === 0; i++) await new Promise((r) => setTimeout(r, 250));
  assert.ok(hook.state.got.some((e) => e.type === 'operator.state_changed'));
  await hooks.getByRole('button', { name: `Deliveries to ${hook.url}` }).click();
  await hooks.getByRole('button', { name: `Deliveries to ${hook.url}` }).click();
  await visible(log.getByText('Delivered').first());
  await screenshot(admin, 'admin-integrations-1');
  await expectClean(admin, 'webhooks with the delivery log');

  await hooks.getByRole('button', { name: `New secret for ${hook.url}` }).click();
  await hooks.getByRole('button', { name: 'New secret', exact: true }).click();
  await admin.waitForFunction((old) => document.querySelector('.secret-value')?.textContent !== old, first);
  await chooseStatus(admin, 'Alena Administrátorová', 'Online');
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online'));
  hook.close();
  await context.close();
});

test('the widget snippet generator previews the real widget in the chosen language and colour (cs)', async () => {
  const context = await newContext(env.browser, 'cs-CZ', AXE);
  const admin = await context.newPage();
  await logIn(admin, env.server.url, 'admin@demo.test', { labels: { email: 'E-mail', password: 'Heslo', submit: 'Přihlásit se' } });
  await visible(profileButton(admin, 'Alena Administrátorová', 'Online', 'Profil'));
  await admin.getByRole('link', { name: 'Administrace' }).click();
  await admin.getByRole('navigation', { name: 'Části administrace' }).getByRole('link', { name: 'Widget' }).click();
  const card = admin.getByRole('region', { name: 'Chatovací widget pro váš web' });
  await card.getByLabel('Klienti čekají ve skupině').selectOption({ label: 'Sales' });
  await card.getByLabel('Jazyk').selectOption('cs');
  await card.getByLabel('Barva', { exact: true }).fill('#1d4ed8');
  const snippet = await card.getByLabel('Kód pro web').inputValue();
  assert.match(snippet, /^<script src="http:\/\/127\.0\.0\.1:\d+\/widget\.js" data-company="demo" data-group="grp_[^"]+" data-lang="cs" data-color="#1d4ed8" async><\/script>$/);
  const preview = admin.frameLocator('iframe[title="Chatovací widget tak, jak ho ukáže váš web"]');
  const launcher = preview.getByRole('button', { name: 'Napište nám' });
  await visible(launcher);
  assert.equal(await launcher.evaluate((el) => getComputedStyle(el).backgroundColor), 'rgb(29, 78, 216)');
  await screenshot(admin, 'admin-widget-cs');
  await expectClean(admin, 'widget generator (cs)');

  // A colour white text cannot be read on: said plainly.
  await card.getByLabel('Barva', { exact: true }).fill('#facc15');
  await visible(card.getByText(/Bílý text je na této barvě špatně čitelný/));
  await context.close();
});
