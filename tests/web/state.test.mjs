// Unit tests of webclient/js/state.js: members, windows, unread counts and highlights, history
// ordering and de-duplication, typing, read markers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { casefolder, parseMessage, parsePrefixToken } from '../../webclient/js/irc.js';
import { ChatState, SERVER_KEY, applyPrefixModes, mentions } from '../../webclient/js/state.js';

function ctx(nick = 'alice') {
  return {
    nick, fold: casefolder('rfc1459'), isChannel: (n) => /^[#&]/.test(n),
    prefixes: parsePrefixToken('(ov)@+'), chanmodes: 'beI,k,Hl,Cimnpst',
  };
}

let clock = Date.UTC(2026, 0, 1);
function msg(line, extra = {}) {
  const m = parseMessage(line);
  m.time = m.tags.time ? Date.parse(m.tags.time) : (clock += 1000);
  return Object.assign(m, extra);
}

function joined(state, c = ctx()) {
  state.apply(msg(':alice!a@h JOIN #c'), c);
  state.apply(msg(':srv 353 alice = #c :@alice +bob carol!c@h'), c);
  state.apply(msg(':srv 366 alice #c :End'), c);
  return state.windows.get('#c');
}

test('own JOIN opens the channel; NAMES fills members with prefixes', () => {
  const s = new ChatState();
  const win = joined(s);
  assert.equal(win.kind, 'channel');
  assert.ok(win.joined);
  assert.deepEqual(s.sortedMembers(win, ctx()).map((m) => m.prefixes + m.nick), ['@alice', '+bob', 'carol']);
});

test('a second NAMES reply replaces the list', () => {
  const s = new ChatState();
  const win = joined(s);
  s.apply(msg(':srv 353 alice = #c :@alice dave'), ctx());
  s.apply(msg(':srv 366 alice #c :End'), ctx());
  assert.deepEqual([...win.members.keys()].sort(), ['alice', 'dave']);
});

test('join, part, kick, quit and nick change update members and add events', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.apply(msg(':dave!d@h JOIN #c * :Dave D'), c);
  assert.ok(win.members.has('dave'));
  s.apply(msg(':dave!d@h PART #c :bye'), c);
  assert.ok(!win.members.has('dave'));
  s.apply(msg(':alice!a@h KICK #c carol :out'), c);
  assert.ok(!win.members.has('carol'));
  s.apply(msg(':bob!b@h NICK Robert'), c);
  assert.ok(!win.members.has('bob'));
  assert.equal(win.members.get('robert').prefixes, '+');
  s.apply(msg(':Robert!b@h QUIT :gone'), c);
  assert.equal(win.members.size, 1);
  assert.deepEqual(win.messages.map((e) => e.kind), ['join', 'join', 'part', 'kick', 'nick', 'quit']);
});

test('being kicked or parting leaves the window but not joined', () => {
  const s = new ChatState();
  const win = joined(s);
  s.apply(msg(':op!o@h KICK #c alice :bye'), ctx());
  assert.ok(!win.joined);
  assert.equal(win.members.size, 0);
  assert.ok(s.windows.has('#c'));
});

test('MODE changes prefixes and skips the arguments of other modes', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.apply(msg(':alice!a@h MODE #c +kov-v key carol carol bob'), c);
  assert.equal(win.members.get('carol').prefixes, '@+');
  assert.equal(win.members.get('bob').prefixes, '');
  applyPrefixModes(win, ['-o+l', 'carol', '10'], c, s);
  assert.equal(win.members.get('carol').prefixes, '+');
});

test('unread counts only messages in windows not being read; highlights count separately', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.setActive(SERVER_KEY);
  s.apply(msg(':bob!b@h PRIVMSG #c :hello'), c);
  s.apply(msg(':bob!b@h PRIVMSG #c :alice: look'), c);
  s.apply(msg(':bob!b@h JOIN #c'), c); // events do not count
  assert.equal(win.unread, 2);
  assert.equal(win.highlight, 1);
  s.setActive('#c');
  assert.equal(win.unread, 0);
  s.apply(msg(':bob!b@h PRIVMSG #c :seen at once'), c);
  assert.equal(win.unread, 0);
  s.setFocused(false);
  s.apply(msg(':bob!b@h PRIVMSG #c :while away'), c);
  assert.equal(win.unread, 1);
});

test('a private message opens a query and alerts', () => {
  const s = new ChatState();
  const alerts = [];
  s.on('alert', (a) => alerts.push(a));
  s.apply(msg(':Bob!b@h PRIVMSG alice :hi'), ctx());
  const win = s.windows.get('bob');
  assert.equal(win.kind, 'query');
  assert.equal(win.name, 'Bob');
  assert.equal(win.highlight, 1);
  assert.equal(alerts.length, 1);
  // our own echo goes to the same window
  s.apply(msg(':alice!a@h PRIVMSG Bob :hello back'), ctx());
  assert.equal(win.messages.length, 2);
  assert.ok(win.messages[1].self);
});

test('history is ordered by time, de-duplicated by msgid and never unread', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.setActive(SERVER_KEY);
  s.apply(msg('@msgid=m3;time=2026-01-01T10:00:03.000Z :bob!b@h PRIVMSG #c :three'), c);
  const hist = { historical: true, batchType: 'chathistory', historyTarget: '#c' };
  s.apply(msg('@msgid=m1;time=2026-01-01T10:00:01.000Z :bob!b@h PRIVMSG #c :one', hist), c);
  s.apply(msg('@msgid=m2;time=2026-01-01T10:00:02.000Z :bob!b@h PRIVMSG #c :alice two', hist), c);
  s.apply(msg('@msgid=m3;time=2026-01-01T10:00:03.000Z :bob!b@h PRIVMSG #c :three', hist), c);
  const texts = win.messages.filter((e) => e.kind === 'privmsg').map((e) => e.text);
  assert.deepEqual(texts, ['one', 'alice two', 'three']);
  assert.equal(win.unread, 1);
  assert.equal(win.highlight, 0);
});

test('historical events are shown but do not touch members', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  const hist = { historical: true, historyTarget: '#c' };
  s.apply(msg('@time=2025-01-01T00:00:00.000Z :zed!z@h JOIN #c', hist), c);
  s.apply(msg('@time=2025-01-01T00:00:01.000Z :bob!b@h QUIT :old', hist), c);
  assert.ok(!win.members.has('zed'));
  assert.ok(win.members.has('bob'));
  assert.deepEqual(win.messages.slice(0, 2).map((e) => e.kind), ['join', 'quit']);
});

test('search results go to the search window', () => {
  const s = new ChatState();
  s.apply(msg('@msgid=z :bob!b@h PRIVMSG #c :found', { batchType: 'soju.im/search', historical: false }), ctx());
  const win = s.windows.get('*search');
  assert.equal(win.messages[0].text, 'found');
  assert.equal(win.messages[0].target, '#c');
  assert.ok(!s.windows.has('#c'));
});

test('typing shows and expires; a message clears it', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.apply(msg('@+typing=active :bob!b@h TAGMSG #c'), c);
  assert.deepEqual(s.typingNicks(win), ['bob']);
  assert.deepEqual(s.typingNicks(win, Date.now() + 7000), []);
  s.apply(msg(':bob!b@h PRIVMSG #c :done typing'), c);
  assert.deepEqual(s.typingNicks(win), []);
});

test('ACTION, CTCP and server notices', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.apply(msg(':bob!b@h PRIVMSG #c :\x01ACTION waves\x01'), c);
  s.apply(msg(':bob!b@h PRIVMSG #c :\x01VERSION\x01'), c);
  s.apply(msg(':srv NOTICE alice :server says'), c);
  assert.deepEqual(win.messages.filter((e) => e.kind === 'action').map((e) => e.text), ['waves']);
  assert.equal(win.messages.filter((e) => e.kind === 'privmsg').length, 0);
  assert.equal(s.windows.get(SERVER_KEY).messages.at(-1).text, 'server says');
});

test('MARKREAD lowers unread counts; REDACT blanks a message', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.setActive(SERVER_KEY);
  s.apply(msg('@msgid=r1;time=2026-01-01T10:00:01.000Z :bob!b@h PRIVMSG #c :one'), c);
  s.apply(msg('@msgid=r2;time=2026-01-01T10:00:02.000Z :bob!b@h PRIVMSG #c :two'), c);
  assert.equal(win.unread, 2);
  s.apply(msg(':srv MARKREAD #c timestamp=2026-01-01T10:00:01.000Z'), c);
  assert.equal(win.unread, 1);
  s.apply(msg(':bob!b@h REDACT #c r2'), c);
  assert.ok(win.messages.find((e) => e.msgid === 'r2').redacted);
});

test('our nick change renames nothing but ourselves; a query follows its peer', () => {
  const s = new ChatState();
  const c = ctx();
  s.apply(msg(':bob!b@h PRIVMSG alice :hi'), c);
  s.apply(msg(':bob!b@h NICK bobby'), c);
  assert.ok(s.windows.has('bobby') && !s.windows.has('bob'));
  s.apply(msg(':alice!a@h NICK alicia', { self: true }), { ...c, nick: 'alicia' });
  assert.equal(s.network.nick, 'alicia');
});

test('mentions match whole nicks only', () => {
  assert.ok(mentions('alice: hi', 'alice'));
  assert.ok(mentions('hi Alice!', 'alice'));
  assert.ok(!mentions('malice', 'alice'));
  assert.ok(!mentions('alice_', 'alice'));
  assert.ok(mentions('ping [x]', '[x]'));
});

test('closing the active window activates its neighbour; the server window stays', () => {
  const s = new ChatState();
  joined(s);
  s.setActive('#c');
  s.closeWindow('#c');
  assert.equal(s.activeKey, SERVER_KEY);
  s.closeWindow(SERVER_KEY);
  assert.ok(s.windows.has(SERVER_KEY));
});

test('a disconnect empties member lists', () => {
  const s = new ChatState();
  const win = joined(s);
  s.setStatus('disconnected');
  assert.equal(win.members.size, 0);
});

test('an older page of history with the same timestamps keeps its order, before the newer', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  const t = '2026-01-01T10:00:00.000Z';
  const page = (ref, from, to) => {
    for (let i = from; i <= to; i++) {
      s.apply(msg(`@batch=${ref};msgid=h${i};time=${t} :bob!b@h PRIVMSG #c :${i}`, { historical: true, historyTarget: '#c' }), c);
    }
  };
  const before = win.revision;
  page('newer', 4, 6);
  page('older', 1, 3);
  const texts = win.messages.filter((e) => e.kind === 'privmsg').map((e) => e.text);
  assert.deepEqual(texts, ['1', '2', '3', '4', '5', '6']);
  assert.ok(win.revision > before, 'an insertion before the end tells the views to rebuild');
});

test('a QUIT replayed from history (its own msgid) is not shown twice', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.apply(msg('@msgid=live;time=2026-01-01T11:00:00.000Z :bob!b@h QUIT :bye'), c);
  s.apply(msg('@batch=h;msgid=stored;time=2026-01-01T11:00:00.000Z :bob!b@h QUIT :bye', { historical: true, historyTarget: '#c' }), c);
  assert.equal(win.messages.filter((e) => e.kind === 'quit').length, 1);
});

test('after history, what is newer than the read marker counts as unread', () => {
  const s = new ChatState();
  const c = ctx();
  const win = joined(s);
  s.setActive(SERVER_KEY);
  s.apply(msg(':srv MARKREAD #c timestamp=2026-01-01T10:00:00.500Z'), c);
  for (const [i, text] of ['old', 'new alice', 'newer'].entries()) {
    s.apply(msg(`@batch=h;msgid=k${i};time=2026-01-01T10:00:0${i}.000Z :bob!b@h PRIVMSG #c :${text}`, { historical: true }), c);
  }
  assert.equal(win.unread, 0);
  s.countSinceMarker(win);
  assert.equal(win.unread, 2);
  assert.equal(win.highlight, 1);
});

test('someone typing to you opens no window until the message', () => {
  const s = new ChatState();
  s.apply(msg('@+typing=active :bob!b@h TAGMSG alice'), ctx());
  assert.ok(!s.windows.has('bob'));
  s.apply(msg(':bob!b@h PRIVMSG alice :hi'), ctx());
  assert.ok(s.windows.has('bob'));
});
