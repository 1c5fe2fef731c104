// state.js: the store the views render, fed by the messages a Client emits; no DOM, no I/O.
//
// Contract: ChatState holds one network (its status, nick, account) and its windows: the server
// window, channels, queries and a search-results window. apply(msg, ctx) folds one parsed
// message into it, where ctx describes the connection as the Client knows it: {nick, fold(name),
// isChannel(name), prefixes: [{mode, symbol}], chanmodes: string}. Messages are kept in each
// window sorted by server time, once per msgid, so live lines, history pages and resume
// catch-ups may arrive in any order. Historical messages (from CHATHISTORY) never count as unread
// nor change member lists. Each change emits 'change'; a highlight or a private message that
// arrives live emits 'alert' {window, entry} (for notifications).

import { Emitter } from './emitter.js';
import { parseAction } from './irc.js';

export const SERVER_KEY = '*server';
export const SEARCH_KEY = '*search';
const TYPING_ACTIVE_MS = 6000; // +typing: "active" lapses after 6 s, "paused" after 30 s
const TYPING_PAUSED_MS = 30000;
const CHAT_KINDS = new Set(['privmsg', 'notice', 'action']);

export class ChatState extends Emitter {
  constructor() {
    super();
    this.network = { name: 'Parley', status: 'disconnected', nick: null, account: null };
    this.windows = new Map();
    this.activeKey = SERVER_KEY;
    this.focused = true; // the page is visible and focused (set by the views)
    this.nextEntryId = 1;
    this.pendingFocus = null; // a channel to show once our JOIN of it arrives
    this.addWindow(SERVER_KEY, 'Server', 'server');
  }

  // ---- windows ----

  addWindow(key, name, kind) {
    let win = this.windows.get(key);
    if (win) return win;
    win = {
      key, name, kind, messages: [], msgids: new Set(), members: new Map(), topic: '',
      joined: false, unread: 0, highlight: 0, typing: new Map(), historyLoaded: false,
      historyExhausted: false, loadingOlder: false, readMarker: 0, namesPending: false,
      revision: 0, // bumped when entries change other than by an append (views rebuild)
    };
    this.windows.set(key, win);
    return win;
  }

  // The window of a channel or nick, created when `create` is set (else null when absent).
  windowFor(name, ctx, create = true) {
    const key = ctx.fold(name);
    if (this.windows.has(key)) return this.windows.get(key);
    if (!create) return null;
    return this.addWindow(key, name, ctx.isChannel(name) ? 'channel' : 'query');
  }

  setActive(key) {
    const win = this.windows.get(key);
    if (!win) return;
    this.activeKey = key;
    if (this.focused) this.markSeen(win);
    this.changed();
  }

  setFocused(focused) {
    this.focused = focused;
    if (focused) this.markSeen(this.active());
    this.changed();
  }

  markSeen(win) {
    win.unread = 0;
    win.highlight = 0;
  }

  active() {
    return this.windows.get(this.activeKey) || this.windows.get(SERVER_KEY);
  }

  closeWindow(key) {
    if (key === SERVER_KEY) return;
    const order = this.windowList().map((w) => w.key);
    this.windows.delete(key);
    if (this.activeKey === key) this.activeKey = order[Math.max(0, order.indexOf(key) - 1)];
    this.changed();
  }

  // Server window first, then channels, queries and search, each by name.
  windowList() {
    const rank = { server: 0, channel: 1, query: 2, search: 3 };
    return [...this.windows.values()].sort(
      (a, b) => rank[a.kind] - rank[b.kind] || a.name.localeCompare(b.name, undefined, { sensitivity: 'base' }),
    );
  }

  // Channel and query names to restore after a reload.
  openTargets() {
    return this.windowList().filter((w) => w.kind === 'channel' || w.kind === 'query').map((w) => w.name);
  }

  changed() {
    this.emit('change', this);
  }

  setStatus(status, nick) {
    this.network.status = status;
    if (nick) this.network.nick = nick;
    if (status === 'disconnected') {
      for (const win of this.windows.values()) {
        win.typing.clear();
        if (win.kind === 'channel') win.members.clear();
      }
    }
    this.changed();
  }

  // ---- entries ----

  // Inserts in time order, skipping a msgid already present; returns the entry, or null for a
  // duplicate. Live lines append. A history batch is kept in its own order: its first line goes
  // before any entry of the same time (older pages arrive after newer ones), each next line right
  // after the previous one. Anything but an append bumps win.revision so views rebuild.
  addEntry(win, fields, batch = null) {
    if (fields.msgid && win.msgids.has(fields.msgid)) return null;
    if (PER_CHANNEL_IDS.has(fields.kind) && sameEvent(win.messages, fields)) return null;
    const entry = { id: this.nextEntryId++, ...fields };
    if (entry.msgid) win.msgids.add(entry.msgid);
    const list = win.messages;
    let at = list.length;
    const cursor = this.batchCursor;
    if (batch && cursor && cursor.batch === batch && cursor.win === win && list[cursor.index] === cursor.entry &&
        cursor.entry.time <= entry.time && (cursor.index + 1 === list.length || list[cursor.index + 1].time >= entry.time)) {
      at = cursor.index + 1;
    } else if (list.length > 0 && (batch || list[list.length - 1].time > entry.time)) {
      at = searchTime(list, entry.time, Boolean(batch));
    }
    list.splice(at, 0, entry);
    if (at !== list.length - 1) win.revision += 1;
    this.batchCursor = batch ? { batch, win, index: at, entry } : null;
    return entry;
  }

  info(win, text, kind = 'info', time = Date.now()) {
    return this.addEntry(win, { kind, text, time, nick: null });
  }

  serverInfo(text, kind = 'info') {
    this.info(this.windows.get(SERVER_KEY), text, kind);
    this.changed();
  }

  countUnread(win, entry, msg, ctx) {
    if (msg.historical || entry.self || !CHAT_KINDS.has(entry.kind)) return;
    if (entry.time <= win.readMarker) return;
    const visible = this.focused && this.activeKey === win.key;
    const alert = entry.highlight || (win.kind === 'query' && entry.kind !== 'notice');
    if (!visible) {
      win.unread += 1;
      if (alert) win.highlight += 1;
    }
    if (alert && !msg.local) this.emit('alert', { window: win, entry, visible });
  }

  // After a history page: what arrived since the read marker (shared by the account's
  // sessions) is unread, unless the window is being read.
  countSinceMarker(win) {
    if (this.focused && this.activeKey === win.key) return;
    const unread = win.messages.filter((e) => CHAT_KINDS.has(e.kind) && !e.self && e.time > win.readMarker);
    win.unread = unread.length;
    win.highlight = unread.filter((e) => e.highlight || win.kind === 'query').length;
  }

  // ---- applying messages ----

  apply(msg, ctx) {
    const handler = HANDLERS[msg.command] || (/^\d{3}$/.test(msg.command) ? numeric : null);
    if (handler) handler.call(this, msg, ctx);
    this.changed();
  }

  // Typing nicks still current in a window.
  typingNicks(win, now = Date.now()) {
    return [...win.typing.values()].filter((t) => t.until > now).map((t) => t.nick);
  }

  // The member entry of a nick, with the highest prefix symbol first.
  setMember(win, nick, fields, ctx) {
    const key = ctx.fold(nick);
    const old = win.members.get(key) || { nick, prefixes: '', away: false, account: null };
    win.members.set(key, { ...old, nick, ...fields });
  }

  // Members sorted by rank (the order of PREFIX), then by nick.
  sortedMembers(win, ctx) {
    const order = ctx.prefixes.map((p) => p.symbol).join('');
    const rank = (m) => (m.prefixes ? order.indexOf(m.prefixes[0]) : order.length);
    return [...win.members.values()].sort(
      (a, b) => rank(a) - rank(b) || a.nick.localeCompare(b.nick, undefined, { sensitivity: 'base' }),
    );
  }
}

// QUIT and NICK get another msgid in each channel's history than on the live line, so a replay
// of one already shown is recognised by its content and time instead.
const PER_CHANNEL_IDS = new Set(['quit', 'nick']);

function sameEvent(list, fields) {
  for (let i = list.length - 1; i >= 0 && i >= list.length - 500; i--) {
    const e = list[i];
    if (e.kind === fields.kind && e.nick === fields.nick && e.text === fields.text && Math.abs(e.time - fields.time) < 1000) return true;
  }
  return false;
}

// The first index whose time is >= t (lower) or > t (upper).
function searchTime(list, t, lower) {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid].time < t || (!lower && list[mid].time === t)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// ---- message handlers (this = the ChatState) ----

function chatMessage(msg, ctx) {
  if (!msg.source) return;
  const text = msg.params[1] ?? '';
  const target = msg.params[0] || '';
  const search = msg.batchType === 'soju.im/search';
  const self = isSelf(msg, ctx);
  const nick = msg.source.nick;
  if (msg.command === 'TAGMSG') { // typing only; it opens no window
    const win = search ? null : this.windowFor(conversation(msg, ctx, self), ctx, false);
    if (win && !msg.historical && !self) typingUpdate(win, nick, msg.tags['+typing'], ctx);
    return;
  }
  let win;
  if (search) win = this.addWindow(SEARCH_KEY, 'Search', 'search');
  else if (!msg.source.user && !ctx.isChannel(target.replace(/^[~&@%+]+/, ''))) win = this.windows.get(SERVER_KEY);
  else win = this.windowFor(conversation(msg, ctx, self), ctx);
  win.typing.delete(ctx.fold(nick));
  const action = parseAction(text);
  if (action === null && text.startsWith('\x01')) return; // other CTCP: not shown
  const entry = this.addEntry(win, {
    kind: action !== null ? 'action' : msg.command === 'NOTICE' ? 'notice' : 'privmsg',
    nick, text: action ?? text, time: msg.time, msgid: msg.tags.msgid, self,
    highlight: !self && mentions(action ?? text, ctx.nick),
    target: search ? target : undefined,
  }, msg.historical ? msg.tags.batch : null);
  if (entry) this.countUnread(win, entry, msg, ctx);
}

function conversation(msg, ctx, self) {
  const target = msg.params[0];
  const bare = target.replace(/^[~&@%+]+(?=[#&])/, '');
  if (ctx.isChannel(bare)) return bare;
  return self ? target : msg.source.nick;
}

function typingUpdate(win, nick, state, ctx) {
  const key = ctx.fold(nick);
  if (state === 'active' || state === 'paused') {
    const ms = state === 'active' ? TYPING_ACTIVE_MS : TYPING_PAUSED_MS;
    win.typing.set(key, { nick, state, until: Date.now() + ms });
  } else if (state === 'done') {
    win.typing.delete(key);
  }
}

// Whether text names nick as a word (nick characters around it do not count).
export function mentions(text, nick) {
  if (!nick) return false;
  const escaped = nick.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^\\w\\[\\]\\\\\`^{|}-])${escaped}($|[^\\w\\[\\]\\\\\`^{|}-])`, 'i').test(text);
}

// Channel events: members change only for live lines; every event is an entry.
function eventWindow(msg, ctx, chan) {
  const name = msg.historyTarget || chan;
  return name ? this.windowFor(name, ctx, !msg.historical || ctx.isChannel(name)) : null;
}

// A live QUIT or NICK carries a msgid of its own, not the one stored for the channel, so it is
// not kept: it would be no reference for CHATHISTORY BEFORE.
function eventEntry(win, msg, kind, text, extra = {}) {
  if (!win) return;
  const msgid = PER_CHANNEL_IDS.has(kind) && !msg.historical ? undefined : msg.tags.msgid;
  this.addEntry(win, { kind, nick: msg.source ? msg.source.nick : null, text, time: msg.time, msgid, ...extra },
    msg.historical ? msg.tags.batch : null);
}

// The Client marks msg.self before its own nick changes (a NICK of ours); else compare.
function isSelf(msg, ctx) {
  if (msg.self !== undefined) return msg.self;
  return Boolean(msg.source) && ctx.fold(msg.source.nick) === ctx.fold(ctx.nick || '');
}

const HANDLERS = {
  PRIVMSG: chatMessage,
  NOTICE: chatMessage,
  TAGMSG: chatMessage,
  JOIN(msg, ctx) {
    const chan = msg.params[0];
    const win = eventWindow.call(this, msg, ctx, chan);
    if (!msg.historical) {
      if (isSelf(msg, ctx)) {
        win.joined = true;
        win.members.clear();
        if (this.pendingFocus && ctx.fold(this.pendingFocus) === win.key) {
          this.pendingFocus = null;
          this.activeKey = win.key;
        }
      }
      const account = msg.params[1] && msg.params[1] !== '*' ? msg.params[1] : null;
      this.setMember(win, msg.source.nick, { account }, ctx);
    }
    eventEntry.call(this, win, msg, 'join', `${msg.source.nick} joined`);
  },
  PART(msg, ctx) {
    const win = eventWindow.call(this, msg, ctx, msg.params[0]);
    if (!win) return;
    if (!msg.historical) leave(win, msg.source.nick, isSelf(msg, ctx), ctx);
    const reason = msg.params[1] ? ` (${msg.params[1]})` : '';
    eventEntry.call(this, win, msg, 'part', `${msg.source.nick} left${reason}`);
  },
  KICK(msg, ctx) {
    const win = eventWindow.call(this, msg, ctx, msg.params[0]);
    if (!win) return;
    const victim = msg.params[1];
    if (!msg.historical) leave(win, victim, ctx.fold(victim) === ctx.fold(ctx.nick || ''), ctx);
    eventEntry.call(this, win, msg, 'kick', `${victim} was kicked by ${msg.source.nick} (${msg.params[2] || ''})`);
  },
  QUIT(msg, ctx) {
    const reason = msg.params[0] ? ` (${msg.params[0]})` : '';
    const text = `${msg.source.nick} quit${reason}`;
    if (msg.historical) {
      eventEntry.call(this, eventWindow.call(this, msg, ctx, null), msg, 'quit', text);
      return;
    }
    for (const win of this.windows.values()) {
      if (!win.members.delete(ctx.fold(msg.source.nick))) continue;
      eventEntry.call(this, win, msg, 'quit', text);
    }
  },
  NICK(msg, ctx) {
    const oldNick = msg.source.nick;
    const newNick = msg.params[0];
    const text = `${oldNick} is now known as ${newNick}`;
    if (msg.historical) {
      eventEntry.call(this, eventWindow.call(this, msg, ctx, null), msg, 'nick', text);
      return;
    }
    if (isSelf(msg, ctx)) this.network.nick = newNick;
    for (const win of this.windows.values()) {
      const member = win.members.get(ctx.fold(oldNick));
      if (!member) continue;
      win.members.delete(ctx.fold(oldNick));
      this.setMember(win, newNick, { ...member, nick: newNick }, ctx);
      eventEntry.call(this, win, msg, 'nick', text);
    }
    renameQuery.call(this, oldNick, newNick, ctx);
  },
  TOPIC(msg, ctx) {
    const win = eventWindow.call(this, msg, ctx, msg.params[0]);
    if (!win) return;
    if (!msg.historical) win.topic = msg.params[1] || '';
    eventEntry.call(this, win, msg, 'topic', `${msg.source.nick} set the topic: ${msg.params[1] || ''}`);
  },
  MODE(msg, ctx) {
    const target = msg.params[0];
    if (!ctx.isChannel(target)) return;
    const win = eventWindow.call(this, msg, ctx, target);
    if (!win) return;
    if (!msg.historical) applyPrefixModes(win, msg.params.slice(1), ctx, this);
    eventEntry.call(this, win, msg, 'mode', `${msg.source ? msg.source.nick : 'server'} set mode ${msg.params.slice(1).join(' ')}`);
  },
  AWAY(msg, ctx) {
    for (const win of this.windows.values()) {
      const m = win.members.get(ctx.fold(msg.source.nick));
      if (m) m.away = msg.params.length > 0;
    }
  },
  ACCOUNT(msg, ctx) {
    for (const win of this.windows.values()) {
      const m = win.members.get(ctx.fold(msg.source.nick));
      if (m) m.account = msg.params[0] === '*' ? null : msg.params[0];
    }
  },
  MARKREAD(msg, ctx) {
    const win = this.windowFor(msg.params[0], ctx, false);
    const m = /^timestamp=(.*)$/.exec(msg.params[1] || '');
    if (!win || !m) return;
    const t = Date.parse(m[1]);
    if (!Number.isFinite(t)) return;
    win.readMarker = Math.max(win.readMarker, t);
    const unread = win.messages.filter((e) => CHAT_KINDS.has(e.kind) && !e.self && e.time > win.readMarker);
    win.unread = Math.min(win.unread, unread.length);
    win.highlight = Math.min(win.highlight, unread.filter((e) => e.highlight).length);
  },
  REDACT(msg, ctx) {
    const win = this.windowFor(conversation(msg, ctx, isSelf(msg, ctx)), ctx, false);
    const entry = win && win.messages.find((e) => e.msgid === msg.params[1]);
    if (entry) {
      Object.assign(entry, { redacted: true, text: '' });
      win.revision += 1;
    }
  },
  INVITE(msg) {
    this.info(this.active(), `${msg.source.nick} invites ${msg.params[0]} to ${msg.params[1]}`, 'info', msg.time);
  },
  ERROR(msg) {
    this.info(this.windows.get(SERVER_KEY), `Error: ${msg.params[0] || ''}`, 'error', msg.time);
  },
  FAIL: standardReply,
  WARN: standardReply,
  NOTE: standardReply,
};

function standardReply(msg) {
  const [command, code, ...rest] = msg.params;
  const kind = msg.command === 'FAIL' ? 'error' : 'info';
  this.info(this.active(), `${command} ${code}: ${rest[rest.length - 1] || ''}`, kind, msg.time);
}

function leave(win, nick, self, ctx) {
  if (self) {
    win.joined = false;
    win.members.clear();
    win.typing.clear();
  } else {
    win.members.delete(ctx.fold(nick));
  }
}

function renameQuery(oldNick, newNick, ctx) {
  const oldKey = ctx.fold(oldNick);
  const win = this.windows.get(oldKey);
  if (!win || win.kind !== 'query' || this.windows.has(ctx.fold(newNick))) return;
  this.windows.delete(oldKey);
  win.key = ctx.fold(newNick);
  win.name = newNick;
  this.windows.set(win.key, win);
  if (this.activeKey === oldKey) this.activeKey = win.key;
}

// Walks a MODE change list: prefix modes (o, v...) change a member's prefixes; the list modes
// and modes with parameters (CHANMODES A, B; C when set) consume an argument too.
export function applyPrefixModes(win, params, ctx, state) {
  const [modes = '', ...args] = params;
  const [listModes = '', alwaysArg = '', setArg = ''] = (ctx.chanmodes || 'beI,k,l').split(',');
  const bySymbol = new Map(ctx.prefixes.map((p) => [p.mode, p.symbol]));
  const order = ctx.prefixes.map((p) => p.symbol).join('');
  let adding = true;
  for (const c of modes) {
    if (c === '+' || c === '-') {
      adding = c === '+';
      continue;
    }
    if (bySymbol.has(c)) {
      const nick = args.shift();
      const member = nick && win.members.get(ctx.fold(nick));
      if (!member) continue;
      const symbol = bySymbol.get(c);
      let prefixes = member.prefixes.replace(symbol, '');
      if (adding) prefixes = [...prefixes, symbol].sort((a, b) => order.indexOf(a) - order.indexOf(b)).join('');
      state.setMember(win, member.nick, { prefixes }, ctx);
    } else if (listModes.includes(c) || alwaysArg.includes(c) || (adding && setArg.includes(c))) {
      args.shift();
    }
  }
}

// ---- numerics ----

const TO_ACTIVE = new Set(['301', '311', '312', '313', '317', '318', '319', '330', '338', '378', '671', '276', '335', '341']);

function numeric(msg, ctx) {
  const handler = NUMERICS[msg.command];
  if (handler) {
    handler.call(this, msg, ctx);
    return;
  }
  const text = numericText(msg);
  const error = msg.command[0] === '4' || msg.command[0] === '5';
  const win = error || TO_ACTIVE.has(msg.command) ? this.active() : this.windows.get(SERVER_KEY);
  this.info(win, text, error ? 'error' : 'info', msg.time);
}

// "<middle params>: <text>", or the text alone where the middle is only counts or tokens.
const TEXT_ONLY = new Set(['002', '003', '251', '255', '265', '266']);

function numericText(msg) {
  const params = msg.params.slice(1);
  const last = params.pop() ?? '';
  if (params.length === 0 || TEXT_ONLY.has(msg.command)) return last;
  return `${params.join(' ')}: ${last}`;
}

const NUMERICS = {
  '001'(msg) {
    this.network.nick = msg.params[0];
    this.info(this.windows.get(SERVER_KEY), msg.params[1] || '', 'info', msg.time);
  },
  '005'(msg, ctx) {
    const network = msg.params.find((p) => p.startsWith('NETWORK='));
    if (network) this.network.name = network.slice(8);
    void ctx;
  },
  332(msg, ctx) {
    const win = this.windowFor(msg.params[1], ctx);
    win.topic = msg.params[2] || '';
  },
  333() {},
  353(msg, ctx) {
    const win = this.windowFor(msg.params[2], ctx, false);
    if (!win) return;
    if (!win.namesPending) {
      win.members.clear();
      win.namesPending = true;
    }
    const symbols = ctx.prefixes.map((p) => p.symbol).join('');
    for (const item of (msg.params[3] || '').split(' ').filter(Boolean)) {
      let i = 0;
      while (i < item.length && symbols.includes(item[i])) i++;
      const nick = item.slice(i).split('!')[0];
      this.setMember(win, nick, { prefixes: item.slice(0, i) }, ctx);
    }
  },
  366(msg, ctx) {
    const win = this.windowFor(msg.params[1], ctx, false);
    if (win) win.namesPending = false;
  },
  331() {},
  324(msg, ctx) {
    const win = this.windowFor(msg.params[1], ctx, false);
    if (win) this.info(win, `Modes: ${msg.params.slice(2).join(' ')}`, 'info', msg.time);
  },
};
