#!/usr/bin/env node
// `npm start`: builds both production extensions, says how to load them by hand,
// then runs the key directory (server/main.ts) in the foreground on 127.0.0.1:8787
// with SQLite under ./data (docs/directory.md). Ctrl-C stops it gracefully.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const build = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) {
  console.error('\nBuild failed; nothing to load.');
  process.exit(build.status ?? 1);
}

const chrome = join(root, '.output', 'chrome-mv3');
const firefox = join(root, '.output', 'firefox-mv3');
for (const dir of [chrome, firefox]) {
  if (!existsSync(join(dir, 'manifest.json'))) {
    console.error(`\n${dir}/manifest.json is missing after the build.`);
    process.exit(1);
  }
}

console.log(`
Cipherpost is built.

Chrome / Chromium (137+):
  1. Open chrome://extensions
  2. Turn on "Developer mode" (top right)
  3. Click "Load unpacked" and choose:
       ${chrome}

Firefox (140+):
  1. Open about:debugging#/runtime/this-firefox
  2. Click "Load Temporary Add-on..." and choose:
       ${join(firefox, 'manifest.json')}
  (Temporary add-ons are removed when Firefox closes.)

The content script runs on Gmail, Outlook (live.com, office.com, office365.com)
and Yahoo Mail. Rebuild with \`npm start\` after changes and reload the extension.

Starting the key directory (docs/directory.md); Ctrl-C stops it.
`);

// The directory runs TypeScript through tsx (a dev dependency, installed by `npm ci`).
const directory = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'main.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: process.env,
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => directory.kill(signal));
}
directory.on('exit', (code, signal) => {
  process.exit(code ?? (signal ? 0 : 1));
});
