// Browser scenarios: Debian's chromium (headless, through playwright-core) uses the web client
// that a real parley server serves, next to a plain TCP IRC client. In order: a deep link
// connects and joins; the two talk both ways; a private message; scrolling back loads older
// history; a reload finds the conversation; a server restart (same ports, same data directory)
// is survived. Each scenario leaves a screenshot in $PARLEY_ARTIFACTS (default
// tests/web/artifacts/); page weight and time to first message are printed and saved there.
//
// Run: node tests/web/e2e/browser.mjs (PARLEY_BIN = the binary; exit 77 = skipped).

import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO, SKIP, TcpIrc, artifactsDir, findBinary, startServer, tempDir } from './harness.mjs';

const modules = path.join(REPO, 'tests', 'web', 'node_modules');
const CHROMIUM = process.env.PARLEY_CHROMIUM || '/usr/bin/chromium';
if (!fs.existsSync(path.join(modules, 'playwright-core'))) {
  console.log('SKIP: tests/web/node_modules is missing (run: npm ci --prefix tests/web)');
  process.exit(SKIP);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`SKIP: no chromium at ${CHROMIUM} (apt-get install chromium)`);
  process.exit(SKIP);
}
if (!findBinary()) {
  console.log('SKIP: no parley binary (set PARLEY_BIN)');
  process.exit(SKIP);
}

const require = createRequire(path.join(modules, 'x.js'));
const { chromium } = require('playwright-core');

const HISTORY_LINES = 150;
const dir = tempDir('parley-browser-');
const artifacts = artifactsDir();
const metrics = {};
let server;
let browser;
let page;
let bob; // the TCP side

before(async () => {
  server = await startServer({ dir });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  const context = await browser.newContext({ viewport: { width: 1100, height: 700 } });
  page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => console.log(`page error: ${e.message}`));
  bob = new TcpIrc(server.ircPort, 'tcpbob');
  await bob.register();
  await bob.join('#parley');
  for (let i = 1; i <= HISTORY_LINES; i++) bob.send(`PRIVMSG #parley :history line ${i}`);
  await bob.sync();
});

after(async () => {
  fs.writeFileSync(path.join(artifacts, 'metrics.json'), `${JSON.stringify(metrics, null, 2)}\n`);
  if (bob) bob.close();
  if (browser) await browser.close();
  if (server) await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function shot(name) {
  await page.screenshot({ path: path.join(artifacts, `${name}.png`) });
}

const windowButton = (key) => page.locator(`#window-list button[data-key="${key}"]`);
const messageText = (text) => page.locator('#message-list .msg .text', { hasText: text });

test('a deep link pre-fills the form; connecting joins the channel and shows its history', async () => {
  let bytes = 0;
  const files = new Set();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.loadingFinished', (e) => { bytes += e.encodedDataLength; });
  page.on('requestfinished', (r) => { if (r.url().startsWith(server.url)) files.add(new URL(r.url()).pathname); });
  const response = await page.goto(`${server.url}?nick=webby&join=%23parley`);
  assert.equal(response.status(), 200, `the web listener serves the client at / (${process.env.PARLEY_WEB_ROOT === '1' ? '[web] root' : 'the copy embedded in the binary'})`);
  assert.equal(await page.inputValue('#f-nick'), 'webby');
  assert.equal(await page.inputValue('#f-channels'), '#parley');
  await page.waitForLoadState('networkidle');
  metrics.pageWeightBytes = bytes;
  // The server compresses the copy embedded in the binary (this test serves the checkout's files
  // as they are, through [web] root): the same files gzip -9 compressed, one by one.
  metrics.pageWeightGzipBytes = [...files].reduce((sum, p) => {
    const file = path.join(REPO, 'webclient', p === '/' ? 'index.html' : p);
    return sum + zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
  }, 0);
  metrics.files = files.size;
  metrics.pageLoadMs = Math.round(await page.evaluate(() => performance.getEntriesByType('navigation')[0].loadEventEnd));
  const t0 = Date.now();
  await page.click('#connect-button');
  await messageText(`history line ${HISTORY_LINES}`).waitFor();
  metrics.firstMessageSeenByTestMs = Date.now() - t0;
  metrics.firstMessageMs = await page.evaluate(() => window.parley.metrics.firstMessageMs);
  console.log(`page weight: ${metrics.pageWeightBytes} bytes transferred for ${files.size} files, ${metrics.pageWeightGzipBytes} bytes ` +
    `with each gzip -9 compressed; page loaded in ${metrics.pageLoadMs} ms`);
  console.log(`time to first message: ${metrics.firstMessageMs} ms from Connect to the first line on screen ` +
    `(in the page; ${metrics.firstMessageSeenByTestMs} ms as the test saw it)`);
  assert.equal(await windowButton('#parley').getAttribute('aria-current'), 'page');
  await page.locator('#member-panel .member', { hasText: 'tcpbob' }).waitFor();
  assert.equal(new URL(page.url()).search, '', 'the deep link is dropped so a reload resumes');
  assert.equal(await messageText(/^history line 1$/).count(), 0, 'only the latest page at first');
  await shot('1-deep-link-connect');
});

test('the browser and a TCP client talk both ways', async () => {
  await page.fill('#input', 'hello from the browser');
  await page.press('#input', 'Enter');
  await bob.waitFor(/:webby!\S+ PRIVMSG #parley :hello from the browser$/);
  bob.send('PRIVMSG #parley :hi webby, from tcp');
  await messageText('hi webby, from tcp').waitFor();
  assert.ok(await page.locator('#message-list .msg.highlight', { hasText: 'hi webby' }).count() === 1, 'a mention is highlighted');
  await messageText('hello from the browser').waitFor();
  await shot('2-channel-talk');
});

test('a private message opens a query with a badge, and the reply reaches the sender', async () => {
  bob.send('PRIVMSG webby :psst, private');
  await windowButton('tcpbob').waitFor();
  await page.locator('#window-list button[data-key="tcpbob"] .badge.highlight').waitFor();
  await windowButton('tcpbob').click();
  await messageText('psst, private').waitFor();
  await page.fill('#input', 'private reply');
  await page.press('#input', 'Enter');
  await bob.waitFor(/:webby!\S+ PRIVMSG tcpbob :private reply$/);
  await shot('3-private-message');
});

test('typing, a multiline message and its deletion, search, keyboard switching, theme and a narrow screen', async () => {
  await windowButton('#parley').click();
  const carol = new TcpIrc(server.ircPort, 'tcpcarol');
  await carol.register(['message-tags', 'batch', 'draft/multiline', 'server-time', 'draft/message-redaction']);
  await carol.join('#parley');
  carol.send('@+typing=active TAGMSG #parley');
  await page.locator('#typing', { hasText: 'tcpcarol is typing' }).waitFor();
  carol.send('PRIVMSG #parley :typed it');
  await page.locator('#typing', { hasText: /^$/ }).waitFor();

  await page.fill('#input', 'first line');
  await page.press('#input', 'Shift+Enter');
  await page.keyboard.type('second line');
  await page.press('#input', 'Enter');
  await carol.waitFor(/BATCH \+\S+ draft\/multiline #parley$/);
  await carol.waitFor(/PRIVMSG #parley :second line$/);
  const multiline = page.locator('#message-list .msg.self', { hasText: 'first line\nsecond line' });
  await multiline.waitFor();

  page.once('dialog', (d) => d.accept()); // "Delete this message for everyone?"
  await multiline.hover();
  await multiline.locator('button.redact').click();
  await carol.waitFor(/:webby!\S+ REDACT #parley \S+/);
  await page.locator('#message-list .msg.self .redacted').waitFor();
  carol.close();

  await page.fill('#input', '/search history line 42');
  await page.press('#input', 'Enter');
  await messageText(/^history line 42$/).waitFor();
  assert.equal(await page.locator('#window-title').textContent(), 'Search: history line 42');

  const current = (key) => page.locator(`#window-list button[data-key="${key}"][aria-current="page"]`).waitFor();
  await page.keyboard.press('Alt+2'); // Server, #parley, tcpbob, search
  await current('#parley');
  await page.keyboard.press('Alt+ArrowDown');
  await current('tcpbob');
  await page.keyboard.press('Alt+ArrowUp');
  await current('#parley');

  await page.click('#theme-button'); // auto -> light -> dark
  await page.click('#theme-button');
  assert.equal(await page.getAttribute('html', 'data-theme'), 'dark');
  await page.setViewportSize({ width: 380, height: 700 });
  assert.ok(!(await page.locator('#window-panel').isVisible()) || (await page.locator('#window-panel').boundingBox()).x < 0);
  await page.click('#toggle-windows');
  await page.waitForTimeout(250);
  assert.equal((await page.locator('#window-panel').boundingBox()).x, 0, 'the window list slides in');
  await shot('4-phone-dark');
  await windowButton('tcpbob').click(); // choosing a window closes the panel
  await page.waitForTimeout(250);
  assert.ok((await page.locator('#window-panel').boundingBox()).x < 0);
  await page.setViewportSize({ width: 1100, height: 700 });
  await page.click('#theme-button'); // back to auto
  await windowButton('#parley').click();
});

test('scrolling up loads older history until its beginning', async () => {
  await windowButton('#parley').click();
  await messageText('history line 150').waitFor();
  for (let i = 0; i < 20 && (await messageText(/^history line 1$/).count()) === 0; i++) {
    await page.evaluate(() => {
      const el = document.querySelector('#messages');
      el.scrollTop = 0;
      el.dispatchEvent(new Event('scroll'));
    });
    await page.waitForTimeout(200);
  }
  await messageText(/^history line 1$/).waitFor();
  await page.locator('.history-status', { hasText: 'Beginning of history' }).waitFor();
  const texts = await page.locator('#message-list .msg.kind-privmsg .text').allTextContents();
  const numbers = texts.map((t) => /^history line (\d+)$/.exec(t)).filter(Boolean).map((m) => Number(m[1]));
  assert.deepEqual(numbers, Array.from({ length: HISTORY_LINES }, (_, i) => i + 1), 'every line once, in order');
  await shot('5-scrollback');
});

test('a reload reconnects and finds the conversation from the server', async () => {
  await page.reload();
  await page.locator('#connection-status[data-status="registered"]').waitFor();
  await windowButton('#parley').waitFor();
  await messageText('hi webby, from tcp').waitFor();
  await messageText('hello from the browser').waitFor();
  assert.equal(await windowButton('#parley').getAttribute('aria-current'), 'page', 'the window that was open');
  await shot('6-after-reload');
});

test('a server restart is survived: the client reconnects, rejoins and catches up', async () => {
  const { ircPort, webPort } = server;
  bob.close();
  await server.stop();
  await page.locator('#connection-status[data-status="disconnected"]').waitFor();
  server = await startServer({ dir, ircPort, webPort });
  bob = new TcpIrc(server.ircPort, 'tcpbob');
  await bob.register();
  await bob.join('#parley');
  bob.send('PRIVMSG #parley :said after the restart');
  await page.locator('#connection-status[data-status="registered"]').waitFor({ timeout: 20000 });
  await messageText('said after the restart').waitFor({ timeout: 20000 });
  await page.locator('#member-panel .member', { hasText: 'webby' }).waitFor();
  await page.fill('#input', 'back again');
  await page.press('#input', 'Enter');
  await bob.waitFor(/:webby!\S+ PRIVMSG #parley :back again$/);
  const count = await messageText('said after the restart').count();
  assert.equal(count, 1, 'a message seen live and in catch-up history is shown once');
  await shot('7-after-restart');
});
