// client.js: one IRC connection over the IRCv3 WebSocket transport, with no DOM.
//
// Contract: new Client(options) does nothing until connect(). It speaks `text.ircv3.net` (one
// line per message), negotiates capabilities (negotiation.js: CAP LS 302, requesting those of
// WANTED_CAPS the server offers), logs in with SASL PLAIN when given an account and password, or
// creates the account (draft/account-registration) when `register` is set. Every line received is parsed and
// emitted as a 'message' event, in order, with `time` (ms), `historical` (inside a chathistory
// batch) and `batchType` set; a draft/multiline batch is emitted as one PRIVMSG/NOTICE whose text
// holds the joined lines. Other events: 'status' (disconnected|connecting|registering|registered),
// 'registered', 'history' {target, subcommand, count, limit}, 'notice' {text} for the client's
// own diagnostics, 'caps'. Options: url, nick, username, realname, account, password, register,
// email, serverPassword (PASS), autojoin, historyLimit, backoff, and the injected WebSocket,
// setTimeout, clearTimeout and random.
//
// When the socket closes without close() having been called, it reconnects with exponential
// backoff (options.backoff, jittered by options.random) and resumes: it joins again the channels
// it was in and fetches what it missed in each channel and private conversation with CHATHISTORY
// AFTER the last msgid (or timestamp) it saw there. The WebSocket class, timers and randomness are
// injected so tests drive it with fakes.

import { Emitter } from './emitter.js';
import { NEGOTIATION, endCaps, sendRegister } from './negotiation.js';
import {
  ISupport,
  casefolder,
  formatMessage,
  messageTime,
  parseCapValue,
  parseMessage,
  utf8Length,
} from './irc.js';


const TYPING_INTERVAL_MS = 3000; // the +typing spec: at most one "active" every 3 seconds
const REQUEST_TIMEOUT_MS = 30000;
const IDLE_PING_MS = 60000; // silence this long: PING the server
const IDLE_DEAD_MS = 30000; // and no answer within this: the connection is dead (reconnect)
const RESUME_PAGES = 10; // at most this many CHATHISTORY AFTER pages per target on resume

export class Client extends Emitter {
  constructor(options) {
    super();
    this.options = {
      username: options.nick,
      realname: options.nick,
      autojoin: [],
      backoff: { min: 1000, max: 60000 },
      random: Math.random,
      historyLimit: 100,
      WebSocket: globalThis.WebSocket,
      setTimeout: globalThis.setTimeout.bind(globalThis),
      clearTimeout: globalThis.clearTimeout.bind(globalThis),
      ...options,
    };
    this.nick = options.nick;
    this.wantedNick = options.nick; // the nick asked for at each (re)connect
    this.status = 'disconnected';
    this.socket = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.closing = false;
    this.channels = new Map(); // folded name -> name: channels to be in (survives reconnects)
    this.lastSeen = new Map(); // folded target -> {name, msgid, time}
    this.account = null;
    this.nextLabel = 1;
    this.nextBatchRef = 1;
    this.typingSent = new Map(); // folded target -> ms of the last "active" sent
    this.resetSession();
    for (const chan of this.options.autojoin) this.channels.set(this.fold(chan), chan);
  }

  // Everything that lives only as long as one connection.
  resetSession() {
    this.offered = new Map();
    this.enabled = new Set();
    this.capsDone = false;
    this.isupport = new ISupport();
    this.fold = casefolder(this.isupport.casemapping);
    this.batches = new Map();
    this.pending = new Map(); // label -> request
    this.historyWaiters = []; // requests answered by the next chathistory batch (no labels)
    this.registerPending = false;
  }

  // ---- connection lifecycle ----

  connect() {
    this.closing = false;
    this.options.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.resetSession();
    this.nick = this.wantedNick;
    this.account = null; // until SASL or REGISTER says again
    this.setStatus('connecting');
    let socket;
    try {
      socket = new this.options.WebSocket(this.options.url, 'text.ircv3.net');
    } catch (err) { // a malformed URL, a blocked port: as a failed attempt
      this.emit('notice', { text: `Cannot connect: ${err.message}` });
      this.setStatus('disconnected');
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => this.onOpen();
    socket.onmessage = (event) => this.onData(event.data);
    socket.onclose = () => this.onClose(socket);
    socket.onerror = () => {}; // a close event always follows
  }

  close(reason = 'Leaving') {
    this.closing = true;
    this.options.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.socket) {
      if (this.status !== 'connecting') this.send({ command: 'QUIT', params: [reason] });
      this.socket.close();
    }
  }

  setStatus(status) {
    this.status = status;
    this.emit('status', status);
  }

  onOpen() {
    this.armIdle();
    this.setStatus('registering');
    this.send({ command: 'CAP', params: ['LS', '302'] });
    if (this.options.serverPassword) this.send({ command: 'PASS', params: [this.options.serverPassword] });
    this.send({ command: 'NICK', params: [this.nick] });
    this.send({ command: 'USER', params: [this.options.username, '0', '*', this.options.realname] });
  }

  onData(data) {
    this.armIdle();
    if (typeof data !== 'string') return; // text.ircv3.net: text frames only
    for (const line of data.split(/\r?\n/)) {
      const msg = parseMessage(line);
      if (msg) this.handle(msg);
    }
  }

  // A socket can stay "open" through a network that vanished (a phone asleep, a lost Wi-Fi):
  // after a silence the client PINGs, and without an answer it drops the socket to reconnect.
  armIdle() {
    this.options.clearTimeout(this.idleTimer);
    this.idleTimer = this.options.setTimeout(() => {
      this.send({ command: 'PING', params: ['parley-idle'] });
      this.idleTimer = this.options.setTimeout(() => this.dropDead(), IDLE_DEAD_MS);
    }, IDLE_PING_MS);
  }

  dropDead() {
    const socket = this.socket;
    if (!socket) return;
    this.emit('notice', { text: 'The server stopped answering' });
    this.onClose(socket); // at once: a dead socket's close event may take minutes
    socket.onclose = null;
    socket.close();
  }

  // Reconnect now rather than at the end of the backoff (the browser came back online).
  reconnectNow() {
    if (this.status !== 'disconnected' || this.closing) return;
    this.connect();
  }

  onClose(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.options.clearTimeout(this.idleTimer);
    for (const req of [...this.pending.values(), ...this.historyWaiters]) this.finish(req, null);
    this.pending.clear();
    this.historyWaiters = [];
    this.setStatus('disconnected');
    if (!this.closing) this.scheduleReconnect();
  }

  // Exponential backoff: min * 2^attempt, capped at max, times a jitter in [0.5, 1).
  reconnectDelay(attempt) {
    const { min, max } = this.options.backoff;
    const base = Math.min(max, min * 2 ** attempt);
    return Math.round(base * (0.5 + this.options.random() / 2));
  }

  scheduleReconnect() {
    const delay = this.reconnectDelay(this.attempt);
    this.attempt += 1;
    this.emit('notice', { text: `Disconnected; reconnecting in ${Math.round(delay / 1000)} s` });
    this.reconnectTimer = this.options.setTimeout(() => this.connect(), delay);
  }

  send(msg) {
    if (!this.socket || this.status === 'connecting' || this.status === 'disconnected') return false;
    this.socket.send(formatMessage(msg));
    return true;
  }

  // A line typed by the user (/quote): sent as is, CR/LF/NUL turned into spaces.
  sendRaw(line) {
    if (!this.socket || this.status === 'connecting' || this.status === 'disconnected') return false;
    this.socket.send(line.replace(/[\r\n\0]/g, ' '));
    return true;
  }

  // ---- queries ----

  hasCap(name) {
    return this.enabled.has(name);
  }

  isMe(nick) {
    return nick != null && this.fold(nick) === this.fold(this.nick);
  }

  isChannel(name) {
    return this.isupport.isChannel(name);
  }

  // What the state store needs to know of this connection now (state.js, apply()).
  context() {
    return {
      nick: this.nick,
      fold: this.fold,
      isChannel: (name) => this.isChannel(name),
      prefixes: this.isupport.prefixes,
      chanmodes: this.isupport.raw.get('CHANMODES'),
    };
  }

  // ---- incoming lines ----

  handle(msg) {
    msg.time = messageTime(msg);
    msg.self = Boolean(msg.source) && this.isMe(msg.source.nick); // before NICK changes this.nick
    if (this.routeIntoBatch(msg)) return;
    this.handleInternal(msg);
    if (msg.command !== 'BATCH') {
      this.noteSeen(msg);
      this.emit('message', msg);
    }
    this.resolveLabel(msg);
  }

  // Returns true when the message was absorbed (a line of a multiline batch).
  routeIntoBatch(msg) {
    const ref = msg.tags.batch;
    const batch = ref ? this.batches.get(ref) : null;
    if (!batch) return false;
    msg.batchType = batch.type;
    msg.historical = batch.historical;
    if (batch.type === 'chathistory') msg.historyTarget = batch.params[0];
    batch.root.messages.push(msg);
    if (batch.type === 'draft/multiline') {
      batch.lines.push(msg);
      return true;
    }
    return false;
  }

  handleInternal(msg) {
    const handler = INTERNAL[msg.command];
    if (handler) handler.call(this, msg);
  }

  noteSeen(msg) {
    if (!['PRIVMSG', 'NOTICE', 'TAGMSG'].includes(msg.command) || !msg.source) return;
    if (msg.batchType === 'soju.im/search') return; // old results, not where a conversation is
    const target = this.conversationOf(msg);
    if (!target || !msg.tags.msgid) return;
    const key = this.fold(target);
    const prev = this.lastSeen.get(key);
    if (!prev || msg.time >= prev.time) this.lastSeen.set(key, { name: target, msgid: msg.tags.msgid, time: msg.time });
  }

  // The window a PRIVMSG/NOTICE/TAGMSG belongs to: the channel, or the other party of a query.
  conversationOf(msg) {
    const target = msg.params[0];
    if (!target) return null;
    const bare = target.replace(/^[~&@%+]+(?=[#&])/, ''); // STATUSMSG: @#chan
    if (this.isChannel(bare)) return bare;
    if (!msg.source || !msg.source.user) return null; // from a server
    return this.isMe(msg.source.nick) ? target : msg.source.nick;
  }

  // ---- labeled requests ----

  // Sends msg with a label and resolves with the messages of its reply ([] for ACK), or null
  // when the connection dropped or no answer came in time. Without labeled-response, resolves
  // with [] at once (the replies still arrive as 'message' events).
  request(msg) {
    if (!this.hasCap('labeled-response') || !this.hasCap('batch')) {
      this.send(msg);
      return Promise.resolve([]);
    }
    const label = `L${this.nextLabel++}`;
    return new Promise((resolve) => {
      const req = { resolve, messages: [], batchRef: null };
      req.timer = this.options.setTimeout(() => {
        this.pending.delete(label);
        this.finish(req, null);
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(label, req);
      this.send({ ...msg, tags: { ...(msg.tags || {}), label } });
    });
  }

  finish(req, value) {
    this.options.clearTimeout(req.timer);
    req.resolve(value);
  }

  resolveLabel(msg) {
    const label = msg.tags.label;
    const req = label ? this.pending.get(label) : null;
    if (!req) return;
    if (msg.command === 'BATCH' && msg.params[0].startsWith('+')) {
      req.batchRef = msg.params[0].slice(1);
      return;
    }
    this.pending.delete(label);
    this.finish(req, msg.command === 'ACK' ? [] : [msg]);
  }

  // ---- batches ----

  openBatch(msg) {
    const ref = msg.params[0].slice(1);
    const parent = msg.tags.batch ? this.batches.get(msg.tags.batch) : null;
    const type = msg.params[1] || '';
    const batch = {
      ref, type, params: msg.params.slice(2), tags: msg.tags, source: msg.source, time: msg.time,
      lines: [], messages: [], parent,
      historical: type === 'chathistory' || Boolean(parent && parent.historical),
    };
    batch.root = parent ? parent.root : batch;
    this.batches.set(ref, batch);
  }

  closeBatch(ref) {
    const batch = this.batches.get(ref);
    if (!batch) return;
    this.batches.delete(ref);
    if (batch.type === 'draft/multiline') this.emitMultiline(batch);
    if (batch.type === 'chathistory') this.answerHistoryWaiter(batch);
    for (const [label, req] of this.pending) {
      if (req.batchRef === ref) {
        this.pending.delete(label);
        this.finish(req, batch.messages);
      }
    }
  }

  // One message for a whole draft/multiline batch: lines joined by "\n" unless tagged concat.
  emitMultiline(batch) {
    const lines = batch.lines.filter((l) => l.command === 'PRIVMSG' || l.command === 'NOTICE');
    if (lines.length === 0) return;
    let text = '';
    lines.forEach((line, i) => {
      const concat = 'draft/multiline-concat' in line.tags;
      text += (i === 0 || concat ? '' : '\n') + (line.params[1] ?? '');
    });
    const tags = { ...lines[0].tags, ...batch.tags };
    delete tags.batch;
    const msg = {
      tags, source: batch.source || lines[0].source, command: lines[0].command,
      params: [batch.params[0], text], time: batch.time, multiline: true,
      self: Boolean(batch.source) && this.isMe(batch.source.nick),
      historical: batch.historical, batchType: batch.parent ? batch.parent.type : undefined,
    };
    if (batch.parent) batch.root.messages.push(msg);
    this.noteSeen(msg);
    this.emit('message', msg);
  }

  // ---- history ----

  // CHATHISTORY <subcommand> <target> <ref> <limit>; resolves with the messages returned (also
  // emitted as 'message' events, historical), or null when the connection dropped or the server
  // answered FAIL; emits 'history' {target, subcommand, count, limit, messages, failed}.
  async fetchHistory(subcommand, target, ref, limit = this.historyLimit()) {
    if (!this.hasCap('draft/chathistory')) return null;
    const msg = { command: 'CHATHISTORY', params: [subcommand, target, ref, String(limit)] };
    let messages;
    if (this.hasCap('labeled-response') && this.hasCap('batch')) {
      messages = await this.request(msg);
    } else {
      messages = await new Promise((resolve) => {
        this.historyWaiters.push({ target: this.fold(target), resolve, timer: null });
        this.send(msg);
      });
    }
    if (messages === null) return null;
    const failed = messages.some((m) => m.command === 'FAIL');
    const count = messages.filter((m) => m.command !== 'BATCH' && m.command !== 'FAIL').length;
    this.emit('history', { target, subcommand, count, limit, messages, failed });
    return failed ? null : messages;
  }

  // CHATHISTORY TARGETS over the last `days`: [{name, time}] of the conversations with activity,
  // or [] (no labeled-response: the answer cannot be told apart, so it is not asked).
  async fetchTargets(days = 30, now = Date.now()) {
    if (!this.hasCap('draft/chathistory') || !this.hasCap('labeled-response') || !this.hasCap('batch')) return [];
    const from = new Date(now - days * 86400000).toISOString();
    const to = new Date(now + 60000).toISOString();
    const messages = await this.request({
      command: 'CHATHISTORY', params: ['TARGETS', `timestamp=${from}`, `timestamp=${to}`, '50'],
    });
    return (messages || [])
      .filter((m) => m.command === 'CHATHISTORY' && m.params[0] === 'TARGETS' && m.params[1])
      .map((m) => ({ name: m.params[1], time: Date.parse(m.params[2] || '') || 0 }));
  }

  answerHistoryWaiter(batch) {
    const target = this.fold(batch.params[0] || '');
    const i = this.historyWaiters.findIndex((w) => w.target === target);
    if (i < 0) return;
    const [waiter] = this.historyWaiters.splice(i, 1);
    this.finish(waiter, batch.messages);
  }

  historyLimit() {
    const max = this.isupport.chathistoryMax || 100;
    return Math.min(max, this.options.historyLimit);
  }

  // A CHATHISTORY reference to the last message seen in a target, or '*'.
  lastRef(target) {
    const seen = this.lastSeen.get(this.fold(target));
    if (!seen) return '*';
    if (this.isupport.msgRefTypes.includes('msgid') || this.isupport.msgRefTypes.length === 0) {
      return `msgid=${seen.msgid}`;
    }
    return `timestamp=${new Date(seen.time).toISOString()}`;
  }

  // After a (re)join or reconnect: the newest page when nothing was seen, else the pages after
  // the last message seen; past RESUME_PAGES full pages, the newest page (a gap stays between).
  async catchUp(target) {
    let ref = this.lastRef(target);
    if (ref === '*') {
      await this.fetchHistory('LATEST', target, '*');
      return;
    }
    const limit = Math.min(this.isupport.chathistoryMax || 100, 500);
    for (let page = 0; page < RESUME_PAGES; page++) {
      const messages = await this.fetchHistory('AFTER', target, ref, limit);
      if (!messages || messages.length < limit) return;
      const next = this.lastRef(target);
      if (next === ref) return;
      ref = next;
    }
    await this.fetchHistory('LATEST', target, '*');
  }

  // ---- registration ----

  onWelcome(msg) {
    this.nick = msg.params[0];
    this.attempt = 0;
    this.capsDone = true;
    this.setStatus('registered');
    this.emit('registered');
    if (this.options.register && this.options.password && !this.account && !this.registerPending &&
        this.hasCap('draft/account-registration')) {
      sendRegister(this);
    }
  }

  // After the MOTD (ISUPPORT known): join again and catch up on private conversations.
  resume() {
    const chans = [...this.channels.values()];
    for (let i = 0; i < chans.length; i += 10) {
      this.send({ command: 'JOIN', params: [chans.slice(i, i + 10).join(',')] });
    }
    for (const [key, seen] of this.lastSeen) {
      if (!this.isChannel(seen.name) && !this.channels.has(key)) this.catchUp(seen.name);
    }
  }

  // ---- commands the views use ----

  join(channel, key) {
    this.send({ command: 'JOIN', params: key ? [channel, key] : [channel] });
  }

  part(channel, reason) {
    this.channels.delete(this.fold(channel));
    this.send({ command: 'PART', params: reason ? [channel, reason] : [channel] });
  }

  // Sends text (which may hold "\n") as one message: a draft/multiline batch when the server
  // takes it and the text fits, else one PRIVMSG per line. Without echo-message the message is
  // emitted locally so the views see it.
  say(target, text, command = 'PRIVMSG') {
    this.typingSent.delete(this.fold(target));
    const lines = text.split('\n');
    if (lines.length > 1 && this.fitsMultiline(lines)) {
      const ref = `ml${this.nextBatchRef++}`;
      this.send({ command: 'BATCH', params: [`+${ref}`, 'draft/multiline', target] });
      for (const line of lines) this.send({ tags: { batch: ref }, command, params: [target, line] });
      this.send({ command: 'BATCH', params: [`-${ref}`] });
      this.localEcho(target, text, command);
      return;
    }
    for (const line of lines) {
      if (line === '') continue;
      this.send({ command, params: [target, line] });
      this.localEcho(target, line, command);
    }
  }

  fitsMultiline(lines) {
    if (!this.hasCap('draft/multiline') || !this.hasCap('batch')) return false;
    const limits = parseCapValue(this.offered.get('draft/multiline'));
    const maxLines = Number(limits['max-lines'] || 100);
    const maxBytes = Number(limits['max-bytes'] || 4096);
    return lines.length <= maxLines && utf8Length(lines.join('\n')) <= maxBytes;
  }

  localEcho(target, text, command) {
    if (this.hasCap('echo-message')) return;
    this.emit('message', {
      tags: {}, source: { nick: this.nick, user: null, host: null }, command,
      params: [target, text], time: Date.now(), local: true, self: true,
    });
  }

  // +typing (client tag): "active" at most every 3 s per target; "done" only after an "active".
  typing(target, state, now = Date.now()) {
    if (!this.hasCap('message-tags')) return;
    const key = this.fold(target);
    const last = this.typingSent.get(key);
    if (state === 'active') {
      if (last !== undefined && now - last < TYPING_INTERVAL_MS) return;
      this.typingSent.set(key, now);
    } else {
      if (last === undefined) return;
      this.typingSent.delete(key);
    }
    this.send({ tags: { '+typing': state }, command: 'TAGMSG', params: [target] });
  }
}

// Handlers of the lines the connection itself acts on (this = the Client).
const INTERNAL = {
  ...NEGOTIATION,
  PING(msg) {
    this.send({ command: 'PONG', params: msg.params });
  },
  '001'(msg) {
    this.onWelcome(msg);
  },
  '005'(msg) {
    this.isupport.apply(msg.params.slice(1, -1));
    this.fold = casefolder(this.isupport.casemapping);
  },
  '376'() {
    this.resume();
  },
  '422'() {
    this.resume();
  },
  433(msg) {
    if (this.status === 'registered') return;
    this.nick = `${msg.params[1] || this.nick}_`;
    this.send({ command: 'NICK', params: [this.nick] });
  },
  NICK(msg) {
    if (!this.isMe(msg.source && msg.source.nick) || msg.historical) return;
    this.nick = msg.params[0];
    this.wantedNick = msg.params[0];
  },
  JOIN(msg) {
    if (!this.isMe(msg.source && msg.source.nick) || msg.historical) return;
    const chan = msg.params[0];
    this.channels.set(this.fold(chan), chan);
    this.catchUp(chan);
  },
  PART(msg) {
    if (this.isMe(msg.source && msg.source.nick) && !msg.historical) this.channels.delete(this.fold(msg.params[0]));
  },
  KICK(msg) {
    if (this.isMe(msg.params[1]) && !msg.historical) this.channels.delete(this.fold(msg.params[0]));
  },
  BATCH(msg) {
    const ref = msg.params[0] || '';
    if (ref.startsWith('+')) this.openBatch(msg);
    else if (ref.startsWith('-')) this.closeBatch(ref.slice(1));
  },
};
