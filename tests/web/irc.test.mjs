// Unit tests of webclient/js/irc.js: the wire format, tags escaping, ISUPPORT, capability lists.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ISupport, casefolder, escapeTagValue, formatMessage, messageTime, parseAction, parseCapList,
  parseCapValue, parseMessage, parsePrefix, parsePrefixToken, unescapeTagValue,
} from '../../webclient/js/irc.js';

test('parses tags, source, command and a trailing parameter', () => {
  const msg = parseMessage('@time=2026-01-02T03:04:05.678Z;msgid=abc;+typing=active :alice!~a@host PRIVMSG #chan :hello  world');
  assert.deepEqual(msg.tags, { time: '2026-01-02T03:04:05.678Z', msgid: 'abc', '+typing': 'active' });
  assert.deepEqual(msg.source, { nick: 'alice', user: '~a', host: 'host' });
  assert.equal(msg.command, 'PRIVMSG');
  assert.deepEqual(msg.params, ['#chan', 'hello  world']);
});

test('a tag without a value is the empty string; escapes are undone', () => {
  const msg = parseMessage('@a;b=x\\:y\\sz\\\\w\\r\\n;c=end\\ PING');
  assert.deepEqual(msg.tags, { a: '', b: 'x;y z\\w\r\n', c: 'end' });
});

test('unknown escapes drop the backslash', () => {
  assert.equal(unescapeTagValue('a\\bc'), 'abc');
  assert.equal(unescapeTagValue('trailing\\'), 'trailing');
});

test('escaping and unescaping are inverse for awkward values', () => {
  for (const v of ['', 'plain', 'semi;colon', 'sp ace', 'back\\slash', 'cr\rlf\n', '\\s literal']) {
    assert.equal(unescapeTagValue(escapeTagValue(v)), v);
  }
});

test('a server source has no user or host', () => {
  assert.deepEqual(parsePrefix('irc.example'), { nick: 'irc.example', user: null, host: null });
  assert.deepEqual(parsePrefix('nick@host'), { nick: 'nick', user: null, host: 'host' });
});

test('command is upper-cased, extra spaces are skipped, empty trailing kept', () => {
  const msg = parseMessage(':srv   topic  #c   :');
  assert.equal(msg.command, 'TOPIC');
  assert.deepEqual(msg.params, ['#c', '']);
  assert.equal(parseMessage(''), null);
  assert.equal(parseMessage('@a=b'), null);
  assert.equal(parseMessage(':only-prefix'), null);
});

test('numerics and a colon inside a middle parameter', () => {
  const msg = parseMessage(':srv 005 me CHANTYPES=# PREFIX=(ov)@+ a:b :are supported');
  assert.equal(msg.command, '005');
  assert.deepEqual(msg.params, ['me', 'CHANTYPES=#', 'PREFIX=(ov)@+', 'a:b', 'are supported']);
});

test('formatting puts a colon before a last parameter that needs one', () => {
  assert.equal(formatMessage({ command: 'PRIVMSG', params: ['#c', 'hi there'] }), 'PRIVMSG #c :hi there');
  assert.equal(formatMessage({ command: 'PRIVMSG', params: ['#c', ':)'] }), 'PRIVMSG #c ::)');
  assert.equal(formatMessage({ command: 'TOPIC', params: ['#c', ''] }), 'TOPIC #c :');
  assert.equal(formatMessage({ command: 'JOIN', params: ['#c'] }), 'JOIN #c');
});

test('formatting escapes tags and round-trips through the parser', () => {
  const msg = { tags: { label: 'L1', '+typing': 'active', odd: 'a b;c\\' }, command: 'TAGMSG', params: ['#c'] };
  const line = formatMessage(msg);
  assert.equal(line, '@label=L1;+typing=active;odd=a\\sb\\:c\\\\ TAGMSG #c');
  assert.deepEqual(parseMessage(line).tags, msg.tags);
});

test('CR, LF and NUL can never start a second command', () => {
  const line = formatMessage({ command: 'PRIVMSG', params: ['#c', 'hi\r\nQUIT :bye\0'] });
  assert.ok(!/[\r\n\0]/.test(line));
  assert.equal(parseMessage(line).command, 'PRIVMSG');
});

test('case folding follows CASEMAPPING', () => {
  assert.equal(casefolder('rfc1459')('Nick[A]\\~'), 'nick{a}|^');
  assert.equal(casefolder('strict-rfc1459')('[~]'), '{~}');
  assert.equal(casefolder('ascii')('Nick[A]'), 'nick[a]');
  assert.equal(casefolder('unknown')('ABC'), 'abc');
});

test('ISUPPORT tokens, defaults and negation', () => {
  const is = new ISupport();
  assert.equal(is.casemapping, 'rfc1459');
  assert.equal(is.chathistoryMax, 0);
  assert.ok(is.isChannel('#a') && is.isChannel('&b') && !is.isChannel('nick'));
  is.apply(['CASEMAPPING=ascii', 'CHANTYPES=#', 'PREFIX=(qaohv)~&@%+', 'CHATHISTORY=1000', 'MSGREFTYPES=timestamp,msgid', 'NETWORK=Parley\\x20Net']);
  assert.equal(is.casemapping, 'ascii');
  assert.ok(!is.isChannel('&b'));
  assert.deepEqual(is.prefixes.map((p) => p.symbol).join(''), '~&@%+');
  assert.equal(is.chathistoryMax, 1000);
  assert.deepEqual(is.msgRefTypes, ['timestamp', 'msgid']);
  assert.equal(is.network, 'Parley Net');
  is.apply(['-CHATHISTORY']);
  assert.equal(is.chathistoryMax, 0);
});

test('PREFIX with mismatched halves is ignored', () => {
  assert.deepEqual(parsePrefixToken('(ov)@'), []);
  assert.deepEqual(parsePrefixToken('(ov)@+'), [{ mode: 'o', symbol: '@' }, { mode: 'v', symbol: '+' }]);
});

test('CAP lists and values', () => {
  const caps = parseCapList('sasl=PLAIN,EXTERNAL draft/multiline=max-bytes=4096,max-lines=32 batch ');
  assert.equal(caps.get('sasl'), 'PLAIN,EXTERNAL');
  assert.equal(caps.get('batch'), '');
  assert.deepEqual(parseCapValue(caps.get('draft/multiline')), { 'max-bytes': '4096', 'max-lines': '32' });
  assert.deepEqual(parseCapValue('before-connect,custom-account-name'), { 'before-connect': '', 'custom-account-name': '' });
});

test('server time from the tag, else the clock', () => {
  assert.equal(messageTime({ tags: { time: '2026-01-02T03:04:05.678Z' } }, 5), Date.UTC(2026, 0, 2, 3, 4, 5, 678));
  assert.equal(messageTime({ tags: { time: 'garbage' } }, 5), 5);
  assert.equal(messageTime({ tags: {} }, 7), 7);
});

test('CTCP ACTION', () => {
  assert.equal(parseAction('\x01ACTION waves\x01'), 'waves');
  assert.equal(parseAction('\x01ACTION waves'), 'waves');
  assert.equal(parseAction('\x01ACTION\x01'), '');
  assert.equal(parseAction('\x01VERSION\x01'), null);
  assert.equal(parseAction('plain'), null);
});
