// ui-panels.js: the window list (with unread and highlight badges), the member list and the
// topic bar. Each render() rebuilds its small part from the state; none keeps state of its own.

import { h } from './dom.js';
import { stripFormatting } from './format.js';
import { nickHue } from './ui-messages.js';

// onSelect(key) shows a window; onClose(key) closes one (every window but the server's has a ✕).
export function renderWindowList(ul, state, onSelect, onClose) {
  const items = state.windowList().map((win, i) => {
    const active = win.key === state.activeKey;
    const badges = [];
    if (win.highlight > 0) badges.push(h('span', { class: 'badge highlight', title: `${win.highlight} mentions` }, String(win.highlight)));
    else if (win.unread > 0) badges.push(h('span', { class: 'badge', title: `${win.unread} unread` }, String(win.unread)));
    const label = `${win.name}${win.unread ? `, ${win.unread} unread` : ''}${win.highlight ? `, ${win.highlight} mentions` : ''}`;
    const classes = ['window', `kind-${win.kind}`];
    if (active) classes.push('active');
    if (win.unread > 0) classes.push('unread');
    if (win.kind === 'channel' && !win.joined) classes.push('parted');
    const close = win.kind === 'server' ? null : h('button', {
      class: 'close', type: 'button', 'aria-label': `Close ${win.name}`, title: `Close ${win.name}`,
      onclick: () => onClose(win.key),
    }, '✕');
    return h('li', { class: 'window-item' },
      h('button', {
        class: classes.join(' '), type: 'button', 'aria-current': active ? 'page' : null,
        'aria-label': label, title: i < 9 ? `${win.name} (Alt+${i + 1})` : win.name,
        dataset: { key: win.key }, onclick: () => onSelect(win.key),
      }, h('span', { class: 'name' }, win.name), badges), close);
  });
  ul.replaceChildren(...items);
}

export function renderMembers(section, win, state, ctx, onSelect) {
  const ul = section.querySelector('ul');
  const heading = section.querySelector('h2');
  if (win.kind !== 'channel') {
    section.hidden = true;
    return;
  }
  section.hidden = false;
  const members = state.sortedMembers(win, ctx);
  heading.textContent = `${members.length} ${members.length === 1 ? 'member' : 'members'}`;
  ul.replaceChildren(...members.map((m) => h('li', { class: m.away ? 'away' : '' },
    h('button', {
      type: 'button', class: 'member', title: m.away ? `${m.nick} (away)` : m.nick,
      onclick: () => onSelect(m.nick),
    },
    h('span', { class: 'prefix' }, m.prefixes.slice(0, 1)),
    h('span', { class: 'nick', style: { '--nick-hue': nickHue(m.nick) } }, m.nick)))));
}

export function renderTopic(titleEl, topicEl, win, network) {
  titleEl.textContent = win.kind === 'server' ? network.name : win.name;
  let topic = '';
  if (win.kind === 'channel') topic = stripFormatting(win.topic || '') || (win.joined ? 'No topic' : 'Not joined');
  else if (win.kind === 'server') topic = `${network.status}${network.nick ? ` as ${network.nick}` : ''}`;
  else if (win.kind === 'query') topic = 'Private conversation';
  else topic = 'Search results';
  topicEl.textContent = topic;
  topicEl.title = topic;
}
