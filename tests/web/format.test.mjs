// Unit tests of webclient/js/format.js (IRC formatting codes, links) and settings.js (deep
// links, what is remembered).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkify, parseFormatting, stripFormatting } from '../../webclient/js/format.js';
import { canAutoconnect, loadSettings, parseDeepLink, saveSettings, withDeepLink } from '../../webclient/js/settings.js';

test('plain text is one unstyled run', () => {
  const runs = parseFormatting('hello');
  assert.equal(runs.length, 1);
  assert.equal(runs[0].text, 'hello');
  assert.ok(!runs[0].bold && runs[0].fg === null);
});

test('bold, italic, colours and reset', () => {
  const runs = parseFormatting('a\x02b\x1dc\x0f d\x034,12e\x03f');
  assert.deepEqual(runs.map((r) => r.text), ['a', 'b', 'c', ' d', 'e', 'f']);
  assert.ok(runs[1].bold && !runs[1].italic);
  assert.ok(runs[2].bold && runs[2].italic);
  assert.ok(!runs[3].bold);
  assert.equal(runs[4].fg, 4);
  assert.equal(runs[4].bg, 12);
  assert.equal(runs[5].fg, null);
});

test('a colour code keeps digits that follow beyond two', () => {
  assert.deepEqual(parseFormatting('\x03123').map((r) => [r.text, r.fg]), [['3', 12]]);
  assert.deepEqual(parseFormatting('\x03,5x').map((r) => [r.text, r.fg]), [[',5x', null]]);
});

test('hex colours and reverse', () => {
  const [run] = parseFormatting('\x04ff0000x');
  assert.equal(run.fg, '#ff0000');
  const [rev] = parseFormatting('\x16r');
  assert.equal(rev.fg, 'bg');
  assert.equal(rev.bg, 'fg');
});

test('strip removes every control code', () => {
  assert.equal(stripFormatting('\x02bold\x02 \x0304red\x03 \x1fu\x1f\x0f'), 'bold red u');
});

test('links: http(s) and www only; sentence punctuation stays outside', () => {
  assert.deepEqual(linkify('see https://example.org/a?b=c. ok'), [
    { text: 'see ' }, { text: 'https://example.org/a?b=c', href: 'https://example.org/a?b=c' }, { text: '. ok' },
  ]);
  assert.deepEqual(linkify('(www.example.org)'), [
    { text: '(' }, { text: 'www.example.org', href: 'https://www.example.org' }, { text: ')' },
  ]);
  assert.deepEqual(linkify('https://en.wikipedia.org/wiki/Foo_(bar)'), [
    { text: 'https://en.wikipedia.org/wiki/Foo_(bar)', href: 'https://en.wikipedia.org/wiki/Foo_(bar)' },
  ]);
  for (const bad of ['javascript:alert(1)', 'data:text/html,x', 'ftp://x']) {
    assert.ok(linkify(bad).every((p) => !p.href), bad);
  }
});

class MemoryStorage {
  constructor() { this.items = new Map(); }
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
  removeItem(k) { this.items.delete(k); }
}

test('deep links: nick and comma-separated channels, # added when missing', () => {
  assert.deepEqual(parseDeepLink('?nick=alice&join=%23parley,dev,%26local'), { nick: 'alice', channels: ['#parley', '#dev', '&local'] });
  assert.deepEqual(parseDeepLink(''), { nick: '', channels: [] });
  const merged = withDeepLink({ nick: 'old', channels: ['#old'], account: 'acc' }, parseDeepLink('?join=%23new'));
  assert.deepEqual(merged, { nick: 'old', channels: ['#new'], account: 'acc' });
});

test('settings survive a reload; the password only in session storage', () => {
  const local = new MemoryStorage();
  const session = new MemoryStorage();
  saveSettings(local, session, { nick: 'alice', account: 'alice', password: 'pw', channels: [], targets: ['#c', 'bob'], active: '#c', autoconnect: true });
  assert.ok(!local.getItem('parley.settings').includes('pw'));
  const loaded = loadSettings(local, session);
  assert.equal(loaded.password, 'pw');
  assert.deepEqual(loaded.targets, ['#c', 'bob']);
  assert.ok(canAutoconnect(loaded));
  assert.ok(!canAutoconnect(loadSettings(local, new MemoryStorage()))); // account, no password
  local.setItem('parley.settings', '{broken');
  assert.equal(loadSettings(local, session).nick, '');
});
