// ui-prefs.js: the theme toggle (auto, light, dark; auto follows prefers-color-scheme) and
// desktop notifications (opt-in: the button asks the browser's permission). Both choices are
// kept in localStorage.

import { stripFormatting } from './format.js';

const THEMES = ['auto', 'light', 'dark'];

export class Preferences {
  constructor({ onAlertClick }) {
    this.onAlertClick = onAlertClick;
    this.theme = localStorage.getItem('parley.theme') || 'auto';
    this.notify_ = localStorage.getItem('parley.notify') === 'on';
    this.themeButton = document.querySelector('#theme-button');
    this.notifyButton = document.querySelector('#notify-button');
    this.themeButton.addEventListener('click', () => this.nextTheme());
    this.notifyButton.addEventListener('click', () => this.toggleNotifications());
    this.applyTheme();
    this.syncNotifyButton();
  }

  nextTheme() {
    this.theme = THEMES[(THEMES.indexOf(this.theme) + 1) % THEMES.length];
    localStorage.setItem('parley.theme', this.theme);
    this.applyTheme();
  }

  applyTheme() {
    if (this.theme === 'auto') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = this.theme;
    this.themeButton.textContent = `Theme: ${this.theme}`;
  }

  async toggleNotifications() {
    if (!('Notification' in window)) return;
    if (this.notify_) {
      this.notify_ = false;
    } else {
      const permission = await Notification.requestPermission();
      this.notify_ = permission === 'granted';
    }
    localStorage.setItem('parley.notify', this.notify_ ? 'on' : 'off');
    this.syncNotifyButton();
  }

  syncNotifyButton() {
    const supported = 'Notification' in window;
    this.notifyButton.hidden = !supported;
    this.notifyButton.textContent = this.notify_ ? 'Notifications: on' : 'Enable notifications';
    this.notifyButton.setAttribute('aria-pressed', String(this.notify_));
  }

  // A highlight or private message: a desktop notification unless the reader is looking at it.
  notify({ window: win, entry, visible }) {
    if (!this.notify_ || visible || !('Notification' in window) || Notification.permission !== 'granted') return;
    const title = win.kind === 'query' ? entry.nick : `${entry.nick} in ${win.name}`;
    const n = new Notification(title, { body: stripFormatting(entry.text || '').slice(0, 200), tag: win.key });
    n.onclick = () => {
      window.focus();
      this.onAlertClick(win.key);
      n.close();
    };
  }
}
