// Generates the REST API's TypeScript types from the committed OpenAPI document, or checks that the
// committed types are what the document gives (so a Rust API change without regenerating fails CI).
//
//   node tools/api-types.mjs gen     writes src/api/schema.gen.ts   (npm run gen:api)
//   node tools/api-types.mjs check   regenerates into a temp file and compares  (npm run check:api)
//
// Reads ../docs/openapi.json only: no network. The generator is openapi-typescript (pinned in
// package-lock.json). It drives the TypeScript 5 compiler API, which the TypeScript 7 compiler that
// type-checks this project no longer ships, so `typescript` is resolved to the `typescript5` alias
// for it (see ts5-register.mjs).

import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const webDir = fileURLToPath(new URL('..', import.meta.url));
const source = join(webDir, '..', 'docs', 'openapi.json');
const target = join(webDir, 'src', 'api', 'schema.gen.ts');
const { version } = JSON.parse(await readFile(join(webDir, 'node_modules', 'openapi-typescript', 'package.json'), 'utf8'));

const HEADER = `// GENERATED FILE: do not edit. Made by openapi-typescript ${version} from docs/openapi.json.
// Regenerate with \`npm run gen:api\` in web/ after the server's API changed (docs/openapi.json);
// \`npm run check:api\` fails while this file and the document disagree.
`;

/** Runs the openapi-typescript command line (its default settings) into `out`, with our header. */
async function generate(out) {
  const cli = join(webDir, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  const hooks = join(webDir, 'tools', 'ts5-register.mjs');
  execFileSync(process.execPath, ['--import', hooks, cli, source, '--output', out], { cwd: webDir, stdio: ['ignore', 'ignore', 'inherit'] });
  await writeFile(out, `${HEADER}\n${await readFile(out, 'utf8')}`);
}

function firstDifference(a, b) {
  const left = a.split('\n');
  const right = b.split('\n');
  for (let i = 0; i < Math.max(left.length, right.length); i += 1) {
    if (left[i] !== right[i]) return { line: i + 1, committed: left[i] ?? '(end of file)', generated: right[i] ?? '(end of file)' };
  }
  return null;
}

const mode = process.argv[2];
const dir = await mkdtemp(join(tmpdir(), 'hovor-api-types-'));
try {
  if (mode === 'gen') {
    await generate(target);
    console.log('gen:api: wrote web/src/api/schema.gen.ts from docs/openapi.json');
  } else if (mode === 'check') {
    const fresh = join(dir, 'schema.gen.ts');
    await generate(fresh);
    const generated = await readFile(fresh, 'utf8');
    const committed = await readFile(target, 'utf8').catch(() => '');
    const diff = firstDifference(committed, generated);
    if (diff) {
      console.error(
        [
          'check:api: web/src/api/schema.gen.ts is out of date with docs/openapi.json.',
          `  first difference at line ${diff.line}:`,
          `    committed: ${diff.committed}`,
          `    generated: ${diff.generated}`,
          'Run `npm run gen:api` in web/, then `npm run typecheck` to see what the change breaks, and commit the result.',
        ].join('\n'),
      );
      process.exitCode = 1;
    } else {
      console.log('check:api: web/src/api/schema.gen.ts matches docs/openapi.json');
    }
  } else {
    console.error('usage: node tools/api-types.mjs gen|check');
    process.exitCode = 2;
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
