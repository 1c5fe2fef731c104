// Unit tests of webclient/js/commands.js (the "/" commands) and ui-input.js's completion filter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInput, helpLines } from '../../webclient/js/commands.js';
import { completions } from '../../webclient/js/ui-input.js';

function env(win = { kind: 'channel', name: '#c', key: '#c', joined: true }, caps = ['soju.im/search']) {
  const sent = [];
  const said = [];
  const calls = [];
  const client = {
    send: (m) => sent.push(m),
    sendRaw: (l) => sent.push(l),
    say: (t, text) => said.push([t, text]),
    join: (c, k) => sent.push({ command: 'JOIN', params: k ? [c, k] : [c] }),
    part: (c, r) => sent.push({ command: 'PART', params: r ? [c, r] : [c] }),
    isChannel: (n) => /^[#&]/.test(n),
    hasCap: (c) => caps.includes(c),
  };
  const app = {
    openWindow: (n, o) => calls.push(['open', n, o]),
    closeWindow: (k) => calls.push(['close', k]),
    showSearch: (t) => calls.push(['search', t]),
    showHelp: (l) => calls.push(['help', l.length]),
    focusOnJoin: (c) => calls.push(['focus', c]),
  };
  return { client, app, win, state: {}, sent, said, calls };
}

const line = (m) => (typeof m === 'string' ? m : [m.command, ...m.params].join(' '));

test('plain text goes to the window; "//" escapes a slash', () => {
  const e = env();
  assert.equal(runInput('hello', e), null);
  assert.equal(runInput('//not a command', e), null);
  assert.deepEqual(e.said, [['#c', 'hello'], ['#c', '/not a command']]);
});

test('plain text in the server window is refused', () => {
  const e = env({ kind: 'server', name: 'Server', key: '*server' });
  assert.match(runInput('hello', e), /help/);
});

test('join, part, msg, me, nick, topic, kick, whois, away, quote', () => {
  const e = env();
  runInput('/join dev,#ops key', e);
  runInput('/part', e);
  runInput('/part #other see you', e);
  runInput('/msg bob hi there', e);
  runInput('/me waves', e);
  runInput('/nick alicia', e);
  runInput('/topic new topic', e);
  runInput('/kick bob be nice', e);
  runInput('/whois bob', e);
  runInput('/away lunch', e);
  runInput('/away', e);
  runInput('/mode +m', e);
  runInput('/mode bob +i', e);
  runInput('/quote PRIVMSG #c :raw', e);
  assert.deepEqual(e.sent.map(line), [
    'JOIN #dev,#ops key', 'PART #c', 'PART #other see you', 'NICK alicia', 'TOPIC #c new topic',
    'KICK #c bob be nice', 'WHOIS bob', 'AWAY lunch', 'AWAY', 'MODE #c +m', 'MODE bob +i', 'PRIVMSG #c :raw',
  ]);
  assert.deepEqual(e.said, [['bob', 'hi there'], ['#c', '\x01ACTION waves\x01']]);
  assert.deepEqual(e.calls[0], ['focus', '#dev']);
});

test('search sends escaped attributes for the current window', () => {
  const e = env();
  runInput('/search hello world;x', e);
  assert.deepEqual(e.sent.map(line), ['SEARCH text=hello\\sworld\\:x;in=#c']);
  assert.deepEqual(e.calls, [['search', 'hello world;x']]);
  assert.match(runInput('/search x', env(undefined, [])), /does not offer/);
});

test('query opens a window; close parts a joined channel', () => {
  const e = env();
  runInput('/query bob hello', e);
  runInput('/close', e);
  assert.deepEqual(e.calls, [['open', 'bob', { focus: true, fetch: true }], ['close', '#c']]);
  assert.deepEqual(e.said, [['bob', 'hello']]);
  assert.deepEqual(e.sent.map(line), ['PART #c']);
});

test('usage errors and unknown commands are reported, nothing sent', () => {
  const e = env();
  assert.match(runInput('/join', e), /Usage/);
  assert.match(runInput('/kick', e), /Usage/);
  assert.match(runInput('/frobnicate', e), /Unknown command/);
  assert.deepEqual(e.sent, []);
  assert.equal(runInput('/HELP', e), null);
  assert.deepEqual(e.calls, [['help', helpLines().length]]);
});

test('completion candidates by case-insensitive prefix', () => {
  assert.deepEqual(completions('al', ['Alice', 'bob', 'alan', '']), ['Alice', 'alan']);
  assert.deepEqual(completions('/jo', ['/join', '/part']), ['/join']);
});
