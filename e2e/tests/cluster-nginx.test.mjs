// Issue 11: three `hovor` nodes on one PostgreSQL database with the PostgreSQL bus, behind nginx
// configured as docs/deployment.md says (its nginx block, with these nodes as the upstream and a
// plain-HTTP listener instead of TLS). An operator logs in and chats with a client through it.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import {
  E2E_DIR,
  freePort,
  launchBrowser,
  logIn,
  newContext,
  openWidget,
  profileButton,
  screenshot,
  startServer,
  visible,
} from '../lib/hovor.mjs';

const PG_URL = process.env.HOVOR_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why this test cannot run here, if it cannot: said loudly, and never under CI. */
function missing() {
  if (process.env.HOVOR_SKIP_POSTGRES === '1') return 'PostgreSQL is skipped (HOVOR_SKIP_POSTGRES=1)';
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
  } catch {
    return 'nginx is not installed (apt-get install nginx-light)';
  }
  return null;
}
const skip = missing();
if (skip && process.env.CI) throw new Error(`the cluster browser test must run under CI: ${skip}`);
if (skip) console.warn(`WARNING: the cluster browser test is SKIPPED: ${skip}`);
const env = { nodes: [], nginx: null, dir: null, browser: null, url: null, database: null };

/** The nginx configuration of docs/deployment.md, pointed at these nodes and listening on `port`. */
export function deploymentConfig(nodePorts, port) {
  const doc = readFileSync(resolve(E2E_DIR, '../docs/deployment.md'), 'utf8');
  const block = doc.match(/```nginx\n([\s\S]*?)```/);
  assert.ok(block, 'docs/deployment.md has an nginx block');
  let config = block[1];
  const servers = config.match(/^ {4}server \S+:8080 .*;$/gm) ?? [];
  assert.equal(servers.length, 3, 'three upstream nodes in the documented configuration');
  servers.forEach((line, n) => {
    config = config.replace(line, line.replace(/\S+:8080/, `127.0.0.1:${nodePorts[n]}`));
  });
  const listen = /^ {4}listen 443 ssl.*;$/m;
  assert.match(config, listen);
  config = config.replace(listen, `    listen 127.0.0.1:${port};`);
  // No TLS in the test: the certificate lines go.
  config = config.replace(/^ {4}ssl_certificate.*;$\n/gm, '');
  return config;
}

before(async () => {
  if (skip) return;
  env.database = `hovor_e2e_${process.pid}_${Date.now()}`;
  execFileSync('psql', [PG_URL, '-qc', `CREATE DATABASE ${env.database}`]);
  const dbUrl = `${PG_URL.replace(/\/[^/]*$/, '')}/${env.database}`;
  // As docs/deployment.md says: the nodes believe nginx's X-Forwarded-For.
  const args = ['--database-url', dbUrl, '--bus-url', 'postgres', '--trusted-proxies', '127.0.0.1'];
  // The first node creates the demo company; the others join.
  env.nodes.push(await startServer(args));
  env.nodes.push(...(await Promise.all([startServer(args), startServer(args)])));

  env.dir = mkdtempSync(join(tmpdir(), 'hovor-nginx-'));
  chmodSync(env.dir, 0o777);
  const port = await freePort();
  const main = `
worker_processes 1;
pid ${env.dir}/nginx.pid;
error_log ${env.dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  client_body_temp_path ${env.dir}/body;
  proxy_temp_path ${env.dir}/proxy;
  fastcgi_temp_path ${env.dir}/fastcgi;
  uwsgi_temp_path ${env.dir}/uwsgi;
  scgi_temp_path ${env.dir}/scgi;
${deploymentConfig(
  env.nodes.map((n) => n.port),
  port,
)}
}
`;
  writeFileSync(join(env.dir, 'nginx.conf'), main);
  env.nginx = spawn('nginx', ['-p', env.dir, '-c', join(env.dir, 'nginx.conf'), '-g', 'daemon off;'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let errors = '';
  env.nginx.stderr.on('data', (d) => (errors += d));
  env.url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (env.nginx.exitCode !== null) throw new Error(`nginx exited: ${errors}`);
    try {
      if ((await fetch(`${env.url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`nginx did not answer: ${errors}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  env.browser = await launchBrowser();
});

after(async () => {
  await env.browser?.close();
  env.nginx?.kill('SIGTERM');
  await Promise.all(env.nodes.map((n) => n.stop()));
  if (env.dir) rmSync(env.dir, { recursive: true, force: true });
  if (env.database) {
    try {
      execFileSync('psql', [PG_URL, '-qc', `DROP DATABASE IF EXISTS ${env.database} WITH (FORCE)`]);
    } catch {
      // left for the next run's clean-up
    }
  }
});

test('through nginx in front of three nodes: an operator logs in and chats with a client', { skip: skip ?? false }, async () => {
  const janaContext = await newContext(env.browser);
  const jana = await janaContext.newPage();
  await logIn(jana, env.url, 'jana@demo.test');
  await visible(profileButton(jana, 'Jana Nováková', 'Online'));

  const clientContext = await newContext(env.browser);
  const client = await clientContext.newPage();
  const widget = await openWidget(client, env.url);
  await widget.getByLabel('Your name').fill('Karel přes nginx');
  await widget.getByRole('button', { name: 'Start chat' }).click();

  const item = jana.getByRole('region', { name: 'Queue' }).getByRole('listitem').filter({ hasText: 'Karel přes nginx' });
  await (await visible(item)).getByRole('button', { name: 'Accept', exact: true }).click();
  const conversation = await visible(jana.getByRole('region', { name: 'Conversation with Karel přes nginx' }));
  await visible(widget.getByText('Jana Nováková has joined the chat.'));

  const composer = conversation.getByRole('textbox', { name: 'Message' });
  await composer.fill('Dobrý den, slyšíte mě přes nginx?');
  await composer.press('Enter');
  const clientLog = widget.getByRole('log', { name: 'Messages' });
  await visible(clientLog.getByText('Dobrý den, slyšíte mě přes nginx?', { exact: true }));
  const box = widget.getByRole('textbox', { name: 'Message' });
  await box.fill('Ano, slyším.');
  await box.press('Enter');
  await visible(conversation.getByText('Ano, slyším.', { exact: true }));
  await screenshot(jana, 'cluster-nginx-operator');

  // Every node is up and ready behind it.
  for (const node of env.nodes) {
    const ready = await (await fetch(`${node.url}/readyz`)).json();
    assert.deepEqual(ready, { database: 'ok', bus: 'ok', bus_kind: 'postgres' });
  }
  await clientContext.close();
  await janaContext.close();
});
