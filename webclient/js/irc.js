// irc.js: the IRC wire format and the server's announced parameters, with no DOM and no I/O.
//
// Contract: parseMessage(line) takes one line without CR/LF (as one WebSocket message carries
// it) and returns {tags, source, command, params}; formatMessage(msg) is its inverse and never
// emits CR, LF or NUL (they are replaced by spaces, so a hostile string cannot smuggle a second
// command). Tag values are unescaped on parse and escaped on format (IRCv3 message-tags).
// ISupport and the case folding it selects are plain values that the caller owns.

const TAG_ESCAPES = { ';': '\\:', ' ': '\\s', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };
const TAG_UNESCAPES = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

export function escapeTagValue(value) {
  return String(value).replace(/[; \\\r\n]/g, (c) => TAG_ESCAPES[c]);
}

// An unknown escape drops the backslash; a trailing lone backslash is dropped (the spec's rules).
export function unescapeTagValue(value) {
  return value.replace(/\\(.?)/g, (_, c) => (c === '' ? '' : (TAG_UNESCAPES[c] ?? c)));
}

export function parseTags(text) {
  const tags = {};
  for (const item of text.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    if (eq < 0) tags[item] = '';
    else tags[item.slice(0, eq)] = unescapeTagValue(item.slice(eq + 1));
  }
  return tags;
}

export function formatTags(tags) {
  return Object.entries(tags)
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => (v === '' || v === true ? k : `${k}=${escapeTagValue(v)}`))
    .join(';');
}

// "nick!user@host" -> {nick, user, host}; a server name is a nick with no user or host.
export function parsePrefix(text) {
  const bang = text.indexOf('!');
  const at = text.indexOf('@', bang < 0 ? 0 : bang);
  if (bang < 0 && at < 0) return { nick: text, user: null, host: null };
  const nickEnd = bang >= 0 ? bang : at;
  return {
    nick: text.slice(0, nickEnd),
    user: bang >= 0 ? text.slice(bang + 1, at >= 0 ? at : undefined) : null,
    host: at >= 0 ? text.slice(at + 1) : null,
  };
}

function formatPrefix(source) {
  let text = source.nick;
  if (source.user) text += `!${source.user}`;
  if (source.host) text += `@${source.host}`;
  return text;
}

// Returns null for a line with no command (blank, or tags/prefix only).
export function parseMessage(line) {
  let rest = line.replace(/[\r\n]+$/, '');
  let tags = {};
  let source = null;
  if (rest.startsWith('@')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    tags = parseTags(rest.slice(1, sp));
    rest = rest.slice(sp + 1).replace(/^ +/, '');
  }
  if (rest.startsWith(':')) {
    const sp = rest.indexOf(' ');
    if (sp < 0) return null;
    source = parsePrefix(rest.slice(1, sp));
    rest = rest.slice(sp + 1).replace(/^ +/, '');
  }
  const params = [];
  while (rest !== '') {
    if (rest.startsWith(':')) {
      params.push(rest.slice(1));
      break;
    }
    const sp = rest.indexOf(' ');
    if (sp < 0) {
      params.push(rest);
      break;
    }
    params.push(rest.slice(0, sp));
    rest = rest.slice(sp + 1).replace(/^ +/, '');
  }
  if (params.length === 0) return null;
  const command = params.shift().toUpperCase();
  return { tags, source, command, params };
}

const UNSAFE = /[\r\n\0]/g;

export function formatMessage({ tags, source, command, params = [] }) {
  const parts = [];
  if (tags && Object.keys(tags).length > 0) parts.push(`@${formatTags(tags)}`);
  if (source) parts.push(`:${formatPrefix(source)}`);
  parts.push(command);
  params.forEach((raw, i) => {
    const p = String(raw).replace(UNSAFE, ' ');
    const last = i === params.length - 1;
    if (last && (p === '' || p.includes(' ') || p.startsWith(':'))) parts.push(`:${p}`);
    else parts.push(p);
  });
  return parts.join(' ').replace(UNSAFE, ' ');
}

// Case folding per ISUPPORT CASEMAPPING (ascii, rfc1459, strict-rfc1459; anything else: ascii).
export function casefolder(casemapping) {
  const extra = { rfc1459: /[A-Z[\]\\~]/g, 'strict-rfc1459': /[A-Z[\]\\]/g }[casemapping];
  const table = { '[': '{', ']': '}', '\\': '|', '~': '^' };
  if (!extra) return (s) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return (s) => s.replace(extra, (c) => table[c] ?? c.toLowerCase());
}

// "(ov)@+" -> [{mode:'o', symbol:'@'}, {mode:'v', symbol:'+'}], highest rank first.
export function parsePrefixToken(value) {
  const m = /^\((.*)\)(.*)$/.exec(value || '');
  if (!m || m[1].length !== m[2].length) return [];
  return [...m[1]].map((mode, i) => ({ mode, symbol: m[2][i] }));
}

// The ISUPPORT tokens a client needs, with the defaults of RFC 2812 until the server says.
export class ISupport {
  constructor() {
    this.raw = new Map();
  }

  // Applies one 005 line's parameters (without the client nick and the trailing text).
  apply(tokens) {
    for (const token of tokens) {
      if (token.startsWith('-')) {
        this.raw.delete(token.slice(1).toUpperCase());
        continue;
      }
      const eq = token.indexOf('=');
      const key = (eq < 0 ? token : token.slice(0, eq)).toUpperCase();
      this.raw.set(key, eq < 0 ? '' : unescapeISupport(token.slice(eq + 1)));
    }
  }

  get casemapping() {
    return this.raw.get('CASEMAPPING') || 'rfc1459';
  }
  get chanTypes() {
    return this.raw.has('CHANTYPES') ? this.raw.get('CHANTYPES') : '#&';
  }
  get prefixes() {
    return parsePrefixToken(this.raw.get('PREFIX') ?? '(ov)@+');
  }
  get network() {
    return this.raw.get('NETWORK') || null;
  }
  // The largest CHATHISTORY limit the server accepts; 0 when it has none.
  get chathistoryMax() {
    if (!this.raw.has('CHATHISTORY')) return 0;
    const n = Number.parseInt(this.raw.get('CHATHISTORY'), 10);
    return Number.isFinite(n) && n > 0 ? n : 1000;
  }
  get msgRefTypes() {
    return (this.raw.get('MSGREFTYPES') || '').split(',').filter(Boolean);
  }
  isChannel(name) {
    return name.length > 0 && this.chanTypes.includes(name[0]);
  }
}

// ISUPPORT values escape bytes as \xHH.
function unescapeISupport(value) {
  return value.replace(/\\x([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16)));
}

// "a b=c d" (a CAP LS/ACK/NEW/DEL list) -> Map name -> value ('' when none).
export function parseCapList(text) {
  const caps = new Map();
  for (const item of text.split(' ')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    caps.set(eq < 0 ? item : item.slice(0, eq), eq < 0 ? '' : item.slice(eq + 1));
  }
  return caps;
}

// "max-bytes=4096,max-lines=32" -> {'max-bytes': '4096', 'max-lines': '32'}
export function parseCapValue(value) {
  const out = {};
  for (const item of (value || '').split(',')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    out[eq < 0 ? item : item.slice(0, eq)] = eq < 0 ? '' : item.slice(eq + 1);
  }
  return out;
}

// Server time: the `time` tag when present, else the receiver's clock.
export function messageTime(msg, now = Date.now()) {
  const t = msg.tags && msg.tags.time ? Date.parse(msg.tags.time) : Number.NaN;
  return Number.isFinite(t) ? t : now;
}

// A UTF-8 byte count, for the multiline byte limit.
export function utf8Length(text) {
  return new TextEncoder().encode(text).length;
}

// CTCP ACTION: "\x01ACTION waves\x01" -> "waves"; null when the text is not an ACTION.
export function parseAction(text) {
  const m = /^\x01ACTION(?: (.*?))?\x01?$/.exec(text);
  return m ? (m[1] ?? '') : null;
}
