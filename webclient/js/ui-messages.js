// ui-messages.js: the message list of the active window (and its typing line).
//
// Contract: new MessageView(rootEl, {onScrollTop, onRedact}) renders a window's entries with
// render(win, opts). Appended entries are added in place; anything else (another window, a page
// of older history prepended: win.revision changed) rebuilds the list, keeping the reader's place.
// While the reader is at the bottom, new lines keep it there. onScrollTop(win) fires when the top
// is reached, or after a render that leaves nothing to scroll.

import { h } from './dom.js';
import { linkify, parseFormatting } from './format.js';

const EVENT_KINDS = new Set(['join', 'part', 'quit', 'kick', 'nick', 'mode', 'topic']);

export function nickHue(nick) {
  let hash = 0;
  for (const c of nick.toLowerCase()) hash = (hash * 31 + c.codePointAt(0)) >>> 0;
  return hash % 360;
}

export class MessageView {
  constructor(root, handlers) {
    this.root = root; // the scrolling element
    this.list = root.querySelector('ol');
    this.status = root.querySelector('.history-status');
    this.handlers = handlers;
    this.shown = { key: null, revision: -1, count: 0 };
    this.stick = true;
    root.addEventListener('scroll', () => this.onScroll());
  }

  onScroll() {
    const { scrollTop, scrollHeight, clientHeight } = this.root;
    this.stick = scrollHeight - scrollTop - clientHeight < 40;
    if (scrollTop < 80 && this.win) this.handlers.onScrollTop(this.win);
  }

  render(win, opts) {
    this.win = win;
    this.opts = opts;
    const list = win.messages;
    const same = this.shown.key === win.key && this.shown.revision === win.revision;
    if (same && list.length >= this.shown.count && !opts.force) {
      this.appendFrom(this.shown.count);
    } else {
      this.rebuild(this.shown.key === win.key);
    }
    this.shown = { key: win.key, revision: win.revision, count: list.length };
    this.renderStatus(win);
    // Too few lines to scroll (history pages of mostly hidden TAGMSGs, a tall screen): there is
    // no scroll to the top to wait for, so ask for older lines now.
    if (this.root.scrollHeight <= this.root.clientHeight + 80) this.handlers.onScrollTop(win);
  }

  appendFrom(start) {
    const list = this.win.messages;
    if (start >= list.length) return;
    const frag = document.createDocumentFragment();
    for (let i = start; i < list.length; i++) frag.append(...this.entryNodes(list[i], list[i - 1]));
    this.list.append(frag);
    if (this.stick) this.scrollToBottom();
  }

  // Same window: keep the distance from the bottom (older lines were prepended); another
  // window: go to its bottom.
  rebuild(sameWindow) {
    const fromBottom = this.root.scrollHeight - this.root.scrollTop;
    const frag = document.createDocumentFragment();
    const list = this.win.messages;
    list.forEach((entry, i) => frag.append(...this.entryNodes(entry, list[i - 1])));
    this.list.replaceChildren(frag);
    if (!sameWindow || this.stick) this.scrollToBottom();
    else this.root.scrollTop = this.root.scrollHeight - fromBottom;
  }

  scrollToBottom() {
    this.root.scrollTop = this.root.scrollHeight;
    this.stick = true;
  }

  renderStatus(win) {
    let text = '';
    if (win.loadingOlder) text = 'Loading older messages…';
    else if (win.historyExhausted) text = 'Beginning of history';
    else if (win.kind === 'channel' || win.kind === 'query') text = win.historyLoaded ? 'Scroll up for older messages' : '';
    this.status.textContent = text;
  }

  // A day divider when the day changes, then the entry itself.
  entryNodes(entry, prev) {
    const nodes = [];
    const day = new Date(entry.time).toDateString();
    if (!prev || new Date(prev.time).toDateString() !== day) {
      nodes.push(h('li', { class: 'day', role: 'separator' }, new Date(entry.time).toLocaleDateString(undefined, { dateStyle: 'full' })));
    }
    nodes.push(this.entryNode(entry));
    return nodes;
  }

  entryNode(entry) {
    const time = new Date(entry.time);
    const classes = ['msg', `kind-${entry.kind}`];
    if (entry.highlight) classes.push('highlight');
    if (entry.self) classes.push('self');
    if (EVENT_KINDS.has(entry.kind)) classes.push('event');
    const li = h('li', { class: classes.join(' '), dataset: { msgid: entry.msgid || '', id: entry.id } },
      h('time', { datetime: time.toISOString(), title: time.toLocaleString() },
        time.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })));
    const nick = entry.nick && !EVENT_KINDS.has(entry.kind) ? this.nickNode(entry) : null;
    if (entry.target) li.append(h('span', { class: 'origin' }, h('span', { class: 'target' }, entry.target), ' ', nick));
    else if (nick) li.append(nick);
    li.append(this.textNode(entry));
    if (this.canRedact(entry)) {
      li.append(h('button', {
        class: 'redact', type: 'button', title: 'Delete this message', 'aria-label': 'Delete this message',
        onclick: () => this.handlers.onRedact(this.win, entry),
      }, '✕'));
    }
    return li;
  }

  canRedact(entry) {
    return this.opts && this.opts.redaction && entry.self && entry.msgid && !entry.redacted &&
      (this.win.kind === 'channel' || this.win.kind === 'query');
  }

  nickNode(entry) {
    const label = entry.kind === 'action' ? `* ${entry.nick}` : entry.kind === 'notice' ? `-${entry.nick}-` : entry.nick;
    return h('span', { class: 'nick', style: { '--nick-hue': nickHue(entry.nick) } }, label);
  }

  textNode(entry) {
    if (entry.redacted) return h('span', { class: 'text redacted' }, 'message deleted');
    const span = h('span', { class: 'text' });
    for (const run of parseFormatting(entry.text || '')) span.append(runNode(run));
    return span;
  }

  // "alice is typing…" under the list.
  renderTyping(el, nicks) {
    if (nicks.length === 0) el.textContent = '';
    else if (nicks.length === 1) el.textContent = `${nicks[0]} is typing…`;
    else if (nicks.length <= 3) el.textContent = `${nicks.join(', ')} are typing…`;
    else el.textContent = 'Several people are typing…';
  }
}

// One formatting run: a span with classes for the styles, its links as <a>.
function runNode(run) {
  const classes = [];
  for (const s of ['bold', 'italic', 'underline', 'strike', 'mono']) if (run[s]) classes.push(`irc-${s}`);
  const style = {};
  colour(run.fg, 'fg', classes, style, 'color');
  colour(run.bg, 'bg', classes, style, 'backgroundColor');
  const parts = linkify(run.text).map((p) => (p.href
    ? h('a', { href: p.href, target: '_blank', rel: 'noopener noreferrer' }, p.text)
    : p.text));
  if (classes.length === 0 && Object.keys(style).length === 0) return h('span', {}, parts);
  return h('span', { class: classes.join(' '), style }, parts);
}

function colour(value, prefix, classes, style, prop) {
  if (value === null || value === undefined) return;
  if (typeof value === 'number' && value >= 0 && value < 16) classes.push(`irc-${prefix}-${value}`);
  else if (typeof value === 'string' && /^#[0-9a-fA-F]{6}$/.test(value)) style[prop] = value;
  else if (value === 'fg' || value === 'bg') classes.push(`irc-${prefix}-swap-${value}`);
}
