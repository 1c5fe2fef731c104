// irc-framework (the IRC library under Kiwi IRC) as a second WebSocket client of Parley's web
// listener: it registers over `text.ircv3.net`, joins a channel and talks both ways with a plain
// TCP client. Also checks the raw transport: both subprotocols, one line per message.
//
// Run: node tests/web/e2e/irc_framework.mjs (PARLEY_BIN = the binary; exit 77 = skipped).

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { REPO, SKIP, TcpIrc, findBinary, startServer, tempDir } from './harness.mjs';

const modules = path.join(REPO, 'tests', 'web', 'node_modules');
if (!fs.existsSync(path.join(modules, 'irc-framework')) || !fs.existsSync(path.join(modules, 'ws'))) {
  console.log('SKIP: tests/web/node_modules is missing (run: npm ci --prefix tests/web)');
  process.exit(SKIP);
}
if (!findBinary()) {
  console.log('SKIP: no parley binary (set PARLEY_BIN)');
  process.exit(SKIP);
}

const require = createRequire(path.join(modules, 'x.js'));
const WebSocket = require('ws');
const IRC = require('irc-framework');
const WebSocketTransport = require('irc-framework/src/transports/websocket');
globalThis.WebSocket = WebSocket; // irc-framework's transport uses the global (Node 20 has none)

let server;
const dir = tempDir('parley-ifw-');
before(async () => {
  server = await startServer({ dir });
});
after(async () => {
  await server.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function once(emitter, event, timeout = 10000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${event} in ${timeout} ms`)), timeout);
    emitter.once(event, (e) => { clearTimeout(t); resolve(e); });
  });
}

test('irc-framework over WebSocket talks with a TCP client in a channel', async () => {
  const bot = new IRC.Client();
  bot.connect({
    host: '127.0.0.1', port: server.webPort, path: '/irc', nick: 'ifw', username: 'ifw', gecos: 'irc-framework',
    transport: WebSocketTransport, websocket_protocol: 'text.ircv3.net', auto_reconnect: false,
  });
  await once(bot, 'registered');
  assert.ok(bot.network.cap.isEnabled('message-tags'), 'irc-framework negotiated message-tags');
  bot.join('#ifw');
  await once(bot, 'join');

  const tcp = new TcpIrc(server.ircPort, 'tcpuser');
  await tcp.register();
  await tcp.join('#ifw');

  const heard = once(bot, 'message');
  tcp.send('PRIVMSG #ifw :hello from tcp ✓');
  const msg = await heard;
  assert.equal(msg.nick, 'tcpuser');
  assert.equal(msg.target, '#ifw');
  assert.equal(msg.message, 'hello from tcp ✓');

  bot.say('#ifw', 'hello from websocket');
  await tcp.waitFor(/^(@\S+ )?:ifw!\S+ PRIVMSG #ifw :hello from websocket$/);

  bot.quit('done');
  tcp.close();
});

// Opens a raw WebSocket with the given subprotocols; resolves with the first lines received.
async function rawSession(protocols, nick) {
  const ws = new WebSocket(`ws://127.0.0.1:${server.webPort}/any/path`, protocols);
  const lines = [];
  let done;
  const welcomed = new Promise((resolve) => { done = resolve; });
  ws.on('message', (data, isBinary) => {
    const text = data.toString('utf8');
    lines.push({ text, isBinary });
    if (/ 001 /.test(text)) done();
  });
  await once(ws, 'open');
  const send = (line) => (ws.protocol === 'binary.ircv3.net' ? ws.send(Buffer.from(line)) : ws.send(line));
  send(`NICK ${nick}`);
  send(`USER ${nick} 0 * :${nick}`);
  await welcomed;
  ws.close();
  return { protocol: ws.protocol, lines };
}

test('the web listener speaks both IRCv3 WebSocket subprotocols, a line per message', async () => {
  const text = await rawSession(['text.ircv3.net'], 'rawtext');
  assert.equal(text.protocol, 'text.ircv3.net');
  assert.ok(text.lines.every((l) => !l.isBinary && !/[\r\n]/.test(l.text)));
  const binary = await rawSession(['binary.ircv3.net'], 'rawbin');
  assert.equal(binary.protocol, 'binary.ircv3.net');
  assert.ok(binary.lines.every((l) => l.isBinary && !/[\r\n]/.test(l.text)));
  const none = await rawSession([], 'rawnone');
  assert.equal(none.protocol, '');
  assert.ok(none.lines.every((l) => !l.isBinary));
});
