// harness.mjs: what the end-to-end web tests share: a parley server with a web listener, run
// from $PARLEY_BIN on 127.0.0.1 with ports chosen by the kernel (or given, to restart on the
// same ones), and a minimal IRC client over TCP to talk with the web side.
//
// The server serves the client built into the binary (compressed, as users get it), or with
// PARLEY_WEB_ROOT=1 this checkout's webclient/ through `[web] root`, read on each request (to try
// edits without rebuilding); history lives in a data directory the test owns.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SKIP = 77; // ctest SKIP_RETURN_CODE for the web tests

export function findBinary() {
  const candidates = [process.env.PARLEY_BIN, path.join(REPO, 'build', 'parley')].filter(Boolean);
  return candidates.find((p) => fs.existsSync(p)) || null;
}

export function artifactsDir() {
  const dir = process.env.PARLEY_ARTIFACTS || path.join(REPO, 'tests', 'web', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function tempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

const LISTENING = /^parley server listening for (.+) on (\S+):(\d+)$/;

function configText({ ircPort, webPort }) {
  return [
    '[server]', 'name = "web.test"', '',
    '[[listener]]', `port = ${ircPort}`, '',
    '[[listener]]', `port = ${webPort}`, 'protocol = "web"', '',
    ...(process.env.PARLEY_WEB_ROOT === '1' ? ['[web]', `root = ${JSON.stringify(path.join(REPO, 'webclient'))}`, ''] : []),
    '[flood]', 'exempt = ["127.0.0.0/8"]', '',
  ].join('\n');
}

// Starts `parley server`; resolves once every listener's line is printed.
export async function startServer({ dir, ircPort = 0, webPort = 0, binary = findBinary() }) {
  fs.mkdirSync(dir, { recursive: true });
  const config = path.join(dir, 'parley.toml');
  fs.writeFileSync(config, configText({ ircPort, webPort }));
  const proc = spawn(binary, ['server', '--bind', '127.0.0.1', '--data-dir', path.join(dir, 'data'), '--config', config],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const ports = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listening lines in 10 s\n${stdout}\n${stderr}`)), 10000);
    proc.on('exit', (code) => reject(new Error(`parley exited with ${code}\n${stdout}\n${stderr}`)));
    proc.stdout.on('data', (d) => {
      stdout += d;
      const found = {};
      for (const line of stdout.split('\n')) {
        const m = LISTENING.exec(line.trim());
        if (!m) continue;
        if (/^IRC$/.test(m[1])) found.irc = Number(m[3]);
        else if (/web|http|websocket/i.test(m[1]) && !/admin/i.test(m[1])) found.web = Number(m[3]);
      }
      if (found.irc && found.web) {
        clearTimeout(timer);
        resolve(found);
      }
    });
  });
  const server = {
    proc, dir, ircPort: ports.irc, webPort: ports.web,
    url: `http://127.0.0.1:${ports.web}/`,
    logs: () => `--- stdout ---\n${stdout}\n--- stderr ---\n${stderr.slice(-4000)}`,
    async stop() {
      if (proc.exitCode !== null) return;
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
  return server;
}

// A plain IRC client over TCP, enough to be the other side of a conversation.
export class TcpIrc {
  constructor(port, nick) {
    this.nick = nick;
    this.lines = [];
    this.waiters = [];
    this.buf = '';
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.setEncoding('utf8');
    this.sock.on('data', (d) => this.onData(d));
    this.sock.on('error', () => {});
  }

  onData(data) {
    this.buf += data;
    let i;
    while ((i = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, i).replace(/\r$/, '');
      this.buf = this.buf.slice(i + 1);
      if (line.startsWith('PING')) this.send(`PONG${line.slice(4)}`);
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => !w.test(line));
    }
  }

  send(line) {
    this.sock.write(`${line}\r\n`);
  }

  // Resolves with the first line (already received or to come) matching re.
  waitFor(re, timeout = 10000) {
    const seen = this.lines.find((l) => re.test(l));
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.nick}: no line matching ${re} in ${timeout} ms; last:\n${this.lines.slice(-10).join('\n')}`)), timeout);
      this.waiters.push({ test: (line) => (re.test(line) ? (clearTimeout(timer), resolve(line), true) : false) });
    });
  }

  async register(caps = []) {
    if (caps.length) this.send(`CAP REQ :${caps.join(' ')}`);
    this.send(`NICK ${this.nick}`);
    this.send(`USER ${this.nick} 0 * :${this.nick}`);
    if (caps.length) this.send('CAP END');
    await this.waitFor(/^:\S+ 001 /);
  }

  async join(channel) {
    this.send(`JOIN ${channel}`);
    await this.waitFor(new RegExp(`^:\\S+ 366 \\S+ ${channel.replace(/[#]/g, '\\#')} `, 'i'));
  }

  // Round trip: everything sent before has been processed.
  async sync() {
    const token = `sync${Math.random().toString(36).slice(2)}`;
    this.send(`PING ${token}`);
    await this.waitFor(new RegExp(`PONG .*${token}`));
  }

  close() {
    this.send('QUIT :bye');
    this.sock.end();
  }
}
