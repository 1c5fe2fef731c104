// Unit tests of webclient/js/client.js with a fake WebSocket and fake timers: capability
// negotiation, SASL, labeled requests, batches, multiline, typing, reconnect and resume.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '../../webclient/js/client.js';
import { FakeTimers, fakeSocketClass, flush } from './fakes.mjs';

const ALL_CAPS = 'sasl=PLAIN server-time message-tags echo-message batch labeled-response draft/chathistory ' +
  'draft/event-playback soju.im/search draft/read-marker draft/multiline=max-bytes=4096,max-lines=3 ' +
  'draft/account-registration=before-connect,custom-account-name away-notify account-notify extended-join ' +
  'multi-prefix userhost-in-names setname invite-notify chghost cap-notify znc.in/playback';

function setup(options = {}) {
  const timers = new FakeTimers();
  const { FakeSocket, sockets } = fakeSocketClass();
  const client = new Client({
    url: 'ws://test/', nick: 'alice', WebSocket: FakeSocket, setTimeout: timers.setTimeout,
    clearTimeout: timers.clearTimeout, random: () => 0.5, ...options,
  });
  const messages = [];
  const notices = [];
  client.on('message', (m) => messages.push(m));
  client.on('notice', (n) => notices.push(n.text));
  return { client, timers, sockets, messages, notices, sock: () => sockets[sockets.length - 1] };
}

// Runs registration up to the end of the MOTD with every capability acknowledged.
function register(t, caps = ALL_CAPS) {
  t.client.connect();
  const s = t.sock();
  s.open();
  s.recv(`:srv CAP * LS :${caps}`);
  const req = s.take().find((l) => l.startsWith('CAP REQ'));
  s.recv(`:srv CAP alice ACK :${req.slice('CAP REQ :'.length)}`);
  s.recv(':srv 001 alice :Welcome', ':srv 005 alice CASEMAPPING=rfc1459 CHATHISTORY=1000 MSGREFTYPES=timestamp,msgid :are supported', ':srv 376 alice :End');
  return s;
}

test('opens with the text subprotocol and sends CAP LS 302, NICK and USER', () => {
  const t = setup();
  t.client.connect();
  assert.equal(t.sock().protocol, 'text.ircv3.net');
  t.sock().open();
  assert.deepEqual(t.sock().take(), ['CAP LS 302', 'NICK alice', 'USER alice 0 * alice']);
});

test('a multi-line CAP LS is read whole; only wanted capabilities are requested', () => {
  const t = setup();
  t.client.connect();
  const s = t.sock();
  s.open();
  s.take();
  s.recv(':srv CAP * LS * :batch foo/bar echo-message');
  assert.deepEqual(s.take(), []);
  s.recv(':srv CAP * LS :server-time znc.in/playback');
  assert.deepEqual(s.take(), ['CAP REQ :server-time echo-message batch']);
  s.recv(':srv CAP alice ACK :echo-message batch server-time');
  assert.deepEqual(s.take(), ['CAP END']);
  assert.ok(t.client.hasCap('batch') && !t.client.hasCap('sasl'));
});

test('a NAK ends negotiation without the capabilities', () => {
  const t = setup();
  t.client.connect();
  const s = t.sock();
  s.open();
  s.recv(':srv CAP * LS :batch');
  s.take();
  s.recv(':srv CAP alice NAK :batch');
  assert.deepEqual(s.take(), ['CAP END']);
  assert.ok(!t.client.hasCap('batch'));
});

test('SASL PLAIN logs in before CAP END', () => {
  const t = setup({ account: 'alice', password: 'sesame' });
  t.client.connect();
  const s = t.sock();
  s.open();
  s.recv(':srv CAP * LS :sasl=PLAIN batch');
  s.take();
  s.recv(':srv CAP alice ACK :sasl batch');
  assert.deepEqual(s.take(), ['AUTHENTICATE PLAIN']);
  s.recv('AUTHENTICATE +');
  assert.deepEqual(s.take(), [`AUTHENTICATE ${Buffer.from('alice\0alice\0sesame').toString('base64')}`]);
  s.recv(':srv 900 alice alice!a@h alice :You are now logged in', ':srv 903 alice :SASL authentication successful');
  assert.deepEqual(s.take(), ['CAP END']);
  assert.equal(t.client.account, 'alice');
});

test('a failed SASL login is reported and registration goes on', () => {
  const t = setup({ account: 'alice', password: 'wrong' });
  t.client.connect();
  const s = t.sock();
  s.open();
  s.recv(':srv CAP * LS :sasl');
  s.recv(':srv CAP alice ACK :sasl');
  s.recv('AUTHENTICATE +');
  s.take();
  s.recv(':srv 904 alice :SASL authentication failed');
  assert.deepEqual(s.take(), ['CAP END']);
  assert.match(t.notices[0], /Login failed/);
});

test('account registration before connect sends REGISTER, then CAP END on success', () => {
  const t = setup({ account: 'alice', password: 'sesame', register: true, email: 'a@example.org' });
  t.client.connect();
  const s = t.sock();
  s.open();
  s.recv(':srv CAP * LS :sasl draft/account-registration=before-connect');
  s.take();
  s.recv(':srv CAP alice ACK :sasl draft/account-registration');
  assert.deepEqual(s.take(), ['REGISTER alice a@example.org sesame']);
  s.recv(':srv REGISTER SUCCESS alice :Account created');
  assert.deepEqual(s.take(), ['CAP END']);
  assert.equal(t.client.account, 'alice');
});

test('a nick in use during registration gets an underscore', () => {
  const t = setup();
  t.client.connect();
  const s = t.sock();
  s.open();
  s.take();
  s.recv(':srv 433 * alice :Nickname is already in use');
  assert.deepEqual(s.take(), ['NICK alice_']);
  s.recv(':srv 001 alice_ :Welcome');
  assert.equal(t.client.nick, 'alice_');
});

test('PING is answered', () => {
  const t = setup();
  const s = register(t);
  s.take();
  s.recv('PING :token');
  assert.deepEqual(s.take(), ['PONG token']);
});

test('ISUPPORT sets the case folding used for names', () => {
  const t = setup();
  register(t);
  assert.ok(t.client.isMe('ALICE'));
  t.sock().recv(':srv 005 alice CASEMAPPING=ascii :are supported');
  assert.equal(t.client.fold('[A]'), '[a]');
});

test('a labeled request resolves with the messages of its batch', async () => {
  const t = setup();
  const s = register(t);
  s.take();
  const p = t.client.fetchHistory('LATEST', '#c', '*', 50);
  const sent = s.take()[0];
  assert.match(sent, /^@label=(\S+) CHATHISTORY LATEST #c \* 50$/);
  const label = /label=(\S+)/.exec(sent)[1];
  s.recv(`@label=${label} :srv BATCH +b1 chathistory #c`,
    '@batch=b1;msgid=m1;time=2026-01-01T00:00:00.000Z :bob!b@h PRIVMSG #c :one',
    '@batch=b1;msgid=m2;time=2026-01-01T00:00:01.000Z :bob!b@h PRIVMSG #c :two',
    ':srv BATCH -b1');
  const got = await p;
  assert.deepEqual(got.map((m) => m.params[1]), ['one', 'two']);
  assert.ok(got.every((m) => m.historical && m.batchType === 'chathistory' && m.historyTarget === '#c'));
  assert.equal(t.messages.filter((m) => m.command === 'PRIVMSG').length, 2);
});

test('a labeled ACK resolves with no messages; a drop resolves with null', async () => {
  const t = setup();
  const s = register(t);
  s.take();
  const p1 = t.client.request({ command: 'MARKREAD', params: ['#c'] });
  const label = /label=(\S+)/.exec(s.take()[0])[1];
  s.recv(`@label=${label} :srv ACK`);
  assert.deepEqual(await p1, []);
  const p2 = t.client.request({ command: 'WHOIS', params: ['x'] });
  s.drop();
  assert.equal(await p2, null);
});

test('a draft/multiline batch arrives as one message', () => {
  const t = setup();
  const s = register(t);
  s.recv('@msgid=ml1;time=2026-01-01T00:00:00.000Z :bob!b@h BATCH +m draft/multiline #c',
    '@batch=m :bob!b@h PRIVMSG #c :first',
    '@batch=m :bob!b@h PRIVMSG #c :second',
    '@batch=m;draft/multiline-concat :bob!b@h PRIVMSG #c : half',
    ':bob!b@h BATCH -m');
  const msgs = t.messages.filter((m) => m.command === 'PRIVMSG');
  assert.equal(msgs.length, 1);
  assert.equal(msgs[0].params[1], 'first\nsecond half');
  assert.equal(msgs[0].tags.msgid, 'ml1');
});

test('say() sends a multiline batch when it fits, else one line each', () => {
  const t = setup();
  const s = register(t);
  s.take();
  t.client.say('#c', 'a\nb');
  assert.deepEqual(s.take(), ['BATCH +ml1 draft/multiline #c', '@batch=ml1 PRIVMSG #c a', '@batch=ml1 PRIVMSG #c b', 'BATCH -ml1']);
  t.client.say('#c', 'a\nb\nc\nd'); // max-lines=3 in ALL_CAPS
  assert.deepEqual(s.take(), ['PRIVMSG #c a', 'PRIVMSG #c b', 'PRIVMSG #c c', 'PRIVMSG #c d']);
});

test('without echo-message, what you say is emitted locally', () => {
  const t = setup();
  const s = register(t, 'batch');
  s.take();
  t.client.say('#c', 'hello');
  const local = t.messages.find((m) => m.local);
  assert.equal(local.params[1], 'hello');
  assert.ok(local.self);
});

test('typing: active at most every 3 s, done only after active', () => {
  const t = setup();
  const s = register(t);
  s.take();
  t.client.typing('#c', 'done', 0);
  t.client.typing('#c', 'active', 1000);
  t.client.typing('#c', 'active', 2000);
  t.client.typing('#c', 'active', 4001);
  t.client.typing('#c', 'done', 4500);
  assert.deepEqual(s.take(), ['@+typing=active TAGMSG #c', '@+typing=active TAGMSG #c', '@+typing=done TAGMSG #c']);
});

test('reconnects with exponential backoff, resets it once registered', () => {
  const t = setup({ backoff: { min: 1000, max: 8000 } });
  register(t);
  const delays = [];
  for (let i = 0; i < 5; i++) {
    t.sock().drop();
    assert.equal(t.client.status, 'disconnected');
    delays.push(t.timers.delays()[0]);
    t.timers.advance(delays[i]);
    assert.equal(t.sockets.length, i + 2);
  }
  // jitter factor 0.75 with random() = 0.5
  assert.deepEqual(delays, [750, 1500, 3000, 6000, 6000]);
  register(t); // a new connect() on the newest socket, up to 001
  t.sock().drop();
  assert.equal(t.timers.delays()[0], 750);
});

test('close() does not reconnect', () => {
  const t = setup();
  const s = register(t);
  t.client.close();
  assert.ok(s.sent.includes('QUIT Leaving'));
  assert.deepEqual(t.timers.delays(), []);
});

test('resume: rejoins channels and fetches what was missed after the last msgid', async () => {
  const t = setup({ autojoin: ['#a'] });
  let s = register(t);
  assert.ok(s.take().includes('JOIN #a'));
  s.recv(':alice!a@h JOIN #a');
  assert.match(s.take()[0], /CHATHISTORY LATEST #a \* 100$/);
  s.recv('@msgid=x1;time=2026-01-01T00:00:00.000Z :bob!b@h PRIVMSG #a :hi',
    '@msgid=x2;time=2026-01-01T00:00:05.000Z :bob!b@h PRIVMSG alice :psst');
  s.drop();
  t.timers.advance(t.timers.delays()[0]);
  s = register(t);
  const sent = s.take();
  assert.ok(sent.includes('JOIN #a'), sent.join('|'));
  assert.ok(sent.some((l) => /CHATHISTORY AFTER bob msgid=x2 500$/.test(l)), sent.join('|'));
  s.recv(':alice!a@h JOIN #a');
  const after = s.take();
  assert.match(after[0], /CHATHISTORY AFTER #a msgid=x1 500$/);
  // A full page asks for the next one, from the newest message it brought.
  const label = /label=(\S+)/.exec(after[0])[1];
  const lines = [`@label=${label} :srv BATCH +h chathistory #a`];
  for (let i = 0; i < 500; i++) lines.push(`@batch=h;msgid=n${i};time=2026-01-01T00:01:${String(i % 60).padStart(2, '0')}.${String(i).padStart(3, '0')}Z :bob!b@h PRIVMSG #a :${i}`);
  lines.push(':srv BATCH -h');
  s.recv(...lines);
  await flush();
  assert.match(s.take()[0], /CHATHISTORY AFTER #a msgid=n\d+ 500$/);
});

test('parting forgets the channel for the next reconnect', () => {
  const t = setup({ autojoin: ['#a', '#b'] });
  let s = register(t);
  s.recv(':alice!a@h JOIN #a', ':alice!a@h JOIN #b', ':alice!a@h PART #b');
  s.drop();
  t.timers.advance(t.timers.delays()[0]);
  s = register(t);
  assert.ok(s.take().includes('JOIN #a'));
});

test('a silent connection is pinged, then dropped and redialled', () => {
  const t = setup();
  const s = register(t);
  s.take();
  t.timers.advance(60000);
  assert.deepEqual(s.take(), ['PING parley-idle']);
  t.timers.advance(29999);
  assert.equal(t.client.status, 'registered');
  t.timers.advance(1);
  assert.equal(t.client.status, 'disconnected');
  assert.ok(s.closed);
  t.timers.advance(t.timers.delays()[0]);
  assert.equal(t.sockets.length, 2);
});

test('an answer to the idle PING keeps the connection', () => {
  const t = setup();
  const s = register(t);
  t.timers.advance(60000);
  s.recv(':srv PONG srv parley-idle');
  t.timers.advance(40000);
  assert.equal(t.client.status, 'registered');
});

test('resume gives up after ten full pages and shows the newest page', async () => {
  const t = setup({ autojoin: ['#a'] });
  let s = register(t);
  s.recv(':alice!a@h JOIN #a', '@msgid=start;time=2026-01-01T00:00:00.000Z :bob!b@h PRIVMSG #a :hi');
  s.drop();
  t.timers.advance(t.timers.delays()[0]);
  s = register(t);
  s.recv(':alice!a@h JOIN #a');
  let n = 0;
  for (let page = 0; page < 10; page++) {
    const sent = s.take().find((l) => l.includes('CHATHISTORY'));
    assert.match(sent, /CHATHISTORY AFTER #a msgid=\S+ 500$/);
    const label = /label=(\S+)/.exec(sent)[1];
    const lines = [`@label=${label} :srv BATCH +p${page} chathistory #a`];
    for (let i = 0; i < 500; i++, n++) lines.push(`@batch=p${page};msgid=q${n};time=${new Date(Date.UTC(2026, 0, 2) + n).toISOString()} :bob!b@h PRIVMSG #a :${n}`);
    lines.push(`:srv BATCH -p${page}`);
    s.recv(...lines);
    await flush();
  }
  assert.match(s.take().find((l) => l.includes('CHATHISTORY')), /CHATHISTORY LATEST #a \* 100$/);
});

test('a FAIL answer to CHATHISTORY resolves null and reports failed', async () => {
  const t = setup();
  const s = register(t);
  s.take();
  const events = [];
  t.client.on('history', (h) => events.push(h));
  const p = t.client.fetchHistory('BEFORE', '#c', 'msgid=gone', 100);
  const label = /label=(\S+)/.exec(s.take()[0])[1];
  s.recv(`@label=${label} :srv FAIL CHATHISTORY INVALID_PARAMS BEFORE msgid=gone :Unknown msgid`);
  assert.equal(await p, null);
  assert.equal(events[0].failed, true);
  assert.equal(events[0].count, 0);
});

test('CHATHISTORY TARGETS lists recent conversations', async () => {
  const t = setup();
  const s = register(t);
  s.take();
  const p = t.client.fetchTargets(30, Date.UTC(2026, 0, 31));
  const sent = s.take()[0];
  assert.match(sent, /CHATHISTORY TARGETS timestamp=2026-01-01T00:00:00.000Z timestamp=2026-01-31T00:01:00.000Z 50$/);
  const label = /label=(\S+)/.exec(sent)[1];
  s.recv(`@label=${label} :srv BATCH +t draft/chathistory-targets`,
    '@batch=t :srv CHATHISTORY TARGETS #c 2026-01-30T00:00:00.000Z',
    '@batch=t :srv CHATHISTORY TARGETS bob 2026-01-30T01:00:00.000Z',
    ':srv BATCH -t');
  assert.deepEqual(await p, [{ name: '#c', time: Date.UTC(2026, 0, 30) }, { name: 'bob', time: Date.UTC(2026, 0, 30, 1) }]);
});

test('a server password goes as PASS before NICK', () => {
  const t = setup({ serverPassword: 'letmein' });
  t.client.connect();
  t.sock().open();
  assert.deepEqual(t.sock().take(), ['CAP LS 302', 'PASS letmein', 'NICK alice', 'USER alice 0 * alice']);
});
