// app.js: the page's root. It owns the one ChatState (the app's root state) and the Client of the
// current connection, feeds the client's messages into the state, and renders the state into the
// views on the next animation frame after a change. Views call back into App for actions.

import { Client } from './client.js';
import { runInput } from './commands.js';
import { $ } from './dom.js';
import { canAutoconnect, loadSettings, parseDeepLink, saveSettings, withDeepLink } from './settings.js';
import { ChatState, SEARCH_KEY, SERVER_KEY } from './state.js';
import { InputView } from './ui-input.js';
import { MessageView } from './ui-messages.js';
import { renderMembers, renderTopic, renderWindowList } from './ui-panels.js';
import { ConnectForm } from './ui-connect.js';
import { Preferences } from './ui-prefs.js';

class App {
  constructor() {
    this.state = new ChatState();
    this.client = null;
    this.settings = loadSettings(localStorage, sessionStorage);
    this.renderQueued = false;
    // Read by the browser tests: ms from connect() to the first chat line on screen.
    this.metrics = { connectStart: null, firstMessageMs: null };
    this.prefs = new Preferences({ onAlertClick: (key) => this.selectWindow(key) });
    this.form = new ConnectForm($('#connect-form'), (values) => this.connect(values));
    this.messages = new MessageView($('#messages'), {
      onScrollTop: (win) => this.loadOlder(win),
      onRedact: (win, entry) => this.redact(win, entry),
    });
    this.input = new InputView($('#input-form'), $('#input'), {
      onSubmit: (text) => this.submit(text),
      onTyping: (typing) => this.typing(typing),
      candidates: () => this.completionCandidates(),
    });
    this.state.on('change', () => this.scheduleRender());
    this.state.on('alert', (alert) => this.prefs.notify(alert));
    this.bindChrome();
  }

  start() {
    const link = parseDeepLink(location.search);
    if (canAutoconnect(this.settings) && !link.nick && link.channels.length === 0) {
      this.connect(this.settings);
    } else {
      this.showForm(withDeepLink(this.settings, link));
    }
  }

  showForm(values, error = '') {
    $('#chat-screen').hidden = true;
    $('#connect-screen').hidden = false;
    this.form.show(values, error);
  }

  // ---- the connection ----

  connect(values) {
    const restored = [...new Set([...values.channels, ...(values.targets || [])])];
    this.settings = { ...this.settings, ...values, autoconnect: true };
    saveSettings(localStorage, sessionStorage, this.settings);
    history.replaceState(null, '', location.pathname); // a reload resumes instead of re-linking
    $('#connect-screen').hidden = true;
    $('#chat-screen').hidden = false;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const client = new Client({
      url: `${scheme}//${location.host}/`,
      nick: values.nick, account: values.account || null, password: values.password || null,
      register: Boolean(values.register), email: values.email || null,
      autojoin: restored.filter((t) => /^[#&]/.test(t)),
    });
    this.client = client;
    this.metrics.connectStart = performance.now();
    for (const name of restored) this.openWindow(name, { focus: false, fetch: false });
    const first = this.settings.active || values.channels[0] || null;
    const query = first && this.state.windowFor(first, client.context(), false);
    if (query && query.kind === 'query') this.state.setActive(query.key);
    else this.state.pendingFocus = first; // shown once joined
    client.on('message', (msg) => this.onMessage(msg));
    client.on('status', (status) => this.state.setStatus(status, client.nick));
    client.on('notice', ({ text }) => this.state.serverInfo(text));
    client.on('history', (h) => this.onHistory(h));
    client.on('registered', () => this.onRegistered());
    client.connect();
    this.input.focus();
  }

  disconnect() {
    if (this.client) this.client.close();
    this.client = null;
    this.settings.autoconnect = false;
    saveSettings(localStorage, sessionStorage, this.settings);
    location.reload();
  }

  onMessage(msg) {
    this.state.apply(msg, this.client.context());
    if (msg.command === 'ERROR' && /password|banned|k-lined/i.test(msg.params[0] || '')) {
      this.state.serverInfo('The server refused the connection; check the settings', 'error');
    }
  }

  onRegistered() {
    this.state.network.account = this.client.account;
    for (const win of this.state.windows.values()) {
      if (win.kind === 'query' && !win.historyLoaded) this.fetchLatest(win);
    }
    this.persist();
    if (this.client.account) this.openRecentConversations();
  }

  // A logged-in user's private conversations of the last 30 days get their windows back, on
  // this device too (CHATHISTORY TARGETS); each loads its latest lines.
  async openRecentConversations() {
    const client = this.client;
    for (const { name } of await client.fetchTargets()) {
      if (client !== this.client || client.isChannel(name) || name.startsWith('*')) continue;
      this.openWindow(name, { focus: false, fetch: true });
    }
    this.state.changed();
  }

  onHistory({ target, subcommand, count, limit, failed }) {
    const win = this.state.windowFor(target, this.client.context(), false);
    if (!win) return;
    if (subcommand === 'BEFORE' || (subcommand === 'LATEST' && !win.historyLoaded)) {
      if (count < limit || failed) win.historyExhausted = true; // FAIL: no way further back
    }
    if (subcommand === 'BEFORE') win.loadingOlder = false;
    else if (win.readMarker > 0) this.state.countSinceMarker(win);
    win.historyLoaded = true;
    this.state.changed();
  }

  fetchLatest(win) {
    win.historyLoaded = false;
    this.client.fetchHistory('LATEST', win.name, '*');
  }

  // Older history when the reader reaches the top of a window.
  loadOlder(win) {
    const client = this.client;
    if (!client || !client.hasCap('draft/chathistory') || win.loadingOlder || win.historyExhausted) return;
    if (!win.historyLoaded || (win.kind !== 'channel' && win.kind !== 'query')) return;
    const oldest = win.messages.find((e) => e.msgid) || win.messages[0];
    if (!oldest) return;
    const ref = oldest.msgid ? `msgid=${oldest.msgid}` : `timestamp=${new Date(oldest.time).toISOString()}`;
    win.loadingOlder = true;
    this.state.changed();
    client.fetchHistory('BEFORE', win.name, ref).then((messages) => {
      if (messages === null) {
        win.loadingOlder = false;
        this.state.changed();
      }
    });
  }

  redact(win, entry) {
    if (!entry.msgid || !this.client) return;
    if (!confirm('Delete this message for everyone?')) return;
    this.client.send({ command: 'REDACT', params: [win.name, entry.msgid] });
  }

  // ---- actions the views and commands use ----

  submit(text) {
    const win = this.state.active();
    if (!this.client) return;
    const error = runInput(text, { client: this.client, state: this.state, win, app: this });
    if (error) this.state.info(win, error, 'error');
    this.state.changed();
  }

  typing(typingState) {
    const win = this.state.active();
    if (!this.client || (win.kind !== 'channel' && win.kind !== 'query')) return;
    this.client.typing(win.name, typingState);
  }

  openWindow(name, { focus, fetch }) {
    const ctx = this.client.context();
    const win = this.state.windowFor(name, ctx);
    if (fetch && win.kind === 'query' && !win.historyLoaded && this.client.status === 'registered') this.fetchLatest(win);
    if (focus) this.selectWindow(win.key);
    return win;
  }

  focusOnJoin(channel) {
    this.state.pendingFocus = channel;
  }

  closeWindow(key) {
    this.state.closeWindow(key);
    this.persist();
  }

  // The window list's ✕: as /close in that window.
  leaveWindow(key) {
    const win = this.state.windows.get(key);
    if (!win) return;
    if (win.kind === 'channel' && win.joined && this.client) this.client.part(win.name);
    this.closeWindow(key);
  }

  showSearch(text) {
    const win = this.state.addWindow(SEARCH_KEY, 'Search', 'search');
    win.name = `Search: ${text}`;
    win.messages = [];
    win.msgids.clear();
    win.revision += 1;
    this.selectWindow(SEARCH_KEY);
  }

  showHelp(lines) {
    const win = this.state.active();
    for (const line of lines) this.state.info(win, line);
    this.state.changed();
  }

  selectWindow(key) {
    this.state.setActive(key);
    document.body.classList.remove('show-windows', 'show-members');
    this.persist();
    this.input.focus();
  }

  completionCandidates() {
    const win = this.state.active();
    const nicks = this.state.sortedMembers(win, this.client.context()).map((m) => m.nick);
    const windows = this.state.windowList().filter((w) => w.kind !== 'server' && w.kind !== 'search').map((w) => w.name);
    return [...nicks, ...windows];
  }

  persist() {
    const win = this.state.active();
    this.settings.targets = this.state.openTargets();
    this.settings.channels = [];
    this.settings.active = win.kind === 'channel' || win.kind === 'query' ? win.name : null;
    saveSettings(localStorage, sessionStorage, this.settings);
  }

  // ---- rendering ----

  scheduleRender() {
    if (this.renderQueued) return;
    this.renderQueued = true;
    const run = () => {
      this.renderQueued = false;
      this.render();
    };
    if (document.hidden) setTimeout(run, 100);
    else requestAnimationFrame(run);
  }

  render() {
    const state = this.state;
    const win = state.active();
    const ctx = this.client ? this.client.context() : { prefixes: [], fold: (s) => s, isChannel: () => false };
    renderWindowList($('#window-list'), state, (key) => this.selectWindow(key), (key) => this.leaveWindow(key));
    renderTopic($('#window-title'), $('#topic'), win, state.network);
    renderMembers($('#member-panel'), win, state, ctx, (nick) => this.openWindow(nick, { focus: true, fetch: true }));
    this.messages.render(win, { redaction: Boolean(this.client && this.client.hasCap('draft/message-redaction')) });
    this.messages.renderTyping($('#typing'), state.typingNicks(win));
    $('#network-name').textContent = state.network.name;
    $('#connection-status').textContent = state.network.status;
    $('#connection-status').dataset.status = state.network.status;
    document.body.dataset.windowKind = win.kind;
    this.updateTitle();
    this.markRead(win);
    if (this.metrics.firstMessageMs === null && win.messages.some((e) => e.kind === 'privmsg')) {
      this.metrics.firstMessageMs = Math.round(performance.now() - this.metrics.connectStart);
    }
    if (win.key !== SERVER_KEY && state.openTargets().join() !== (this.settings.targets || []).join()) this.persist();
  }

  updateTitle() {
    let unread = 0;
    let mentions = 0;
    for (const w of this.state.windows.values()) {
      unread += w.unread;
      mentions += w.highlight;
    }
    const count = mentions || unread;
    document.title = `${count ? `(${count}${mentions ? '!' : ''}) ` : ''}${this.state.active().name} · Parley`;
  }

  // Shares "read up to here" with the account's other sessions (draft/read-marker).
  markRead(win) {
    const client = this.client;
    if (!client || !client.hasCap('draft/read-marker') || !this.state.focused) return;
    if (win.kind !== 'channel' && win.kind !== 'query') return;
    const last = [...win.messages].reverse().find((e) => e.kind === 'privmsg' || e.kind === 'notice' || e.kind === 'action');
    if (!last || last.time <= win.readMarker) return;
    win.readMarker = last.time;
    client.send({ command: 'MARKREAD', params: [win.name, `timestamp=${new Date(last.time).toISOString()}`] });
  }

  // ---- page chrome: panels, keyboard, focus, typing expiry ----

  bindChrome() {
    $('#toggle-windows').addEventListener('click', () => document.body.classList.toggle('show-windows'));
    $('#toggle-members').addEventListener('click', () => document.body.classList.toggle('show-members'));
    $('#disconnect-button').addEventListener('click', () => this.disconnect());
    document.addEventListener('keydown', (e) => this.onKey(e));
    // Leave at once on reload or close, so the nick is free for the next page.
    window.addEventListener('pagehide', () => this.client && this.client.close('Page closed'));
    window.addEventListener('pageshow', (e) => e.persisted && location.reload()); // back from bfcache
    window.addEventListener('online', () => this.client && this.client.reconnectNow());
    const focus = () => this.state.setFocused(!document.hidden && document.hasFocus());
    window.addEventListener('focus', focus);
    window.addEventListener('blur', focus);
    document.addEventListener('visibilitychange', focus);
    setInterval(() => {
      const win = this.state.active();
      if (win.typing.size > 0) this.messages.renderTyping($('#typing'), this.state.typingNicks(win));
    }, 1000);
  }

  // Alt+1..9: the nth window; Alt+Up/Down: the previous/next; PageUp/PageDown in the input
  // scroll the messages; Escape closes the side panels.
  onKey(e) {
    const list = this.state.windowList();
    const index = list.findIndex((w) => w.key === this.state.activeKey);
    if (e.altKey && /^Digit[1-9]$/.test(e.code)) {
      const win = list[Number(e.code.slice(5)) - 1];
      if (win) this.selectWindow(win.key);
      e.preventDefault();
    } else if (e.altKey && (e.key === 'ArrowUp' || e.key === 'ArrowDown')) {
      const next = list[(index + (e.key === 'ArrowUp' ? -1 : 1) + list.length) % list.length];
      this.selectWindow(next.key);
      e.preventDefault();
    } else if ((e.key === 'PageUp' || e.key === 'PageDown') && e.target.id === 'input') {
      const el = $('#messages');
      el.scrollBy({ top: (e.key === 'PageUp' ? -0.9 : 0.9) * el.clientHeight });
      e.preventDefault();
    } else if (e.key === 'Escape') {
      document.body.classList.remove('show-windows', 'show-members');
    }
  }
}

const app = new App();
window.parley = app; // the root, for debugging and the browser tests
app.start();
