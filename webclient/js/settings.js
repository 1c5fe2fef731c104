// settings.js: what the client remembers between page loads, and deep links; no DOM.
//
// Contract: the storages are Web Storage objects (localStorage, sessionStorage) or fakes with
// getItem/setItem/removeItem. Kept in localStorage: nick, account, the register choice, the
// windows that were open and whether to connect at once on the next load (until the user
// disconnects). The password is kept in sessionStorage only: a reload logs in again, closing
// the browser forgets it.

const KEY = 'parley.settings';
const PASSWORD_KEY = 'parley.password';

export function parseDeepLink(search) {
  const params = new URLSearchParams(search);
  const join = (params.get('join') || params.get('channels') || '')
    .split(',').map((c) => c.trim()).filter(Boolean)
    .map((c) => (/^[#&]/.test(c) ? c : `#${c}`));
  return { nick: params.get('nick') || '', channels: join };
}

export function loadSettings(local, session) {
  let saved = {};
  try {
    saved = JSON.parse(local.getItem(KEY) || '{}') || {};
  } catch {
    saved = {};
  }
  return {
    nick: saved.nick || '',
    account: saved.account || '',
    register: false,
    email: '',
    channels: Array.isArray(saved.channels) ? saved.channels : [],
    targets: Array.isArray(saved.targets) ? saved.targets : [],
    active: saved.active || null,
    autoconnect: Boolean(saved.autoconnect),
    password: session.getItem(PASSWORD_KEY) || '',
  };
}

export function saveSettings(local, session, settings) {
  const { nick, account, channels, targets, active, autoconnect } = settings;
  local.setItem(KEY, JSON.stringify({ nick, account, channels, targets, active, autoconnect }));
  if (settings.password) session.setItem(PASSWORD_KEY, settings.password);
  else session.removeItem(PASSWORD_KEY);
}

// Connect at once on load: the user connected before and did not disconnect, and a login
// that needs a password still has it.
export function canAutoconnect(settings) {
  return settings.autoconnect && settings.nick !== '' && (!settings.account || settings.password !== '');
}

// A deep link's values take the place of the remembered ones in the form.
export function withDeepLink(settings, link) {
  const out = { ...settings };
  if (link.nick) out.nick = link.nick;
  if (link.channels.length > 0) out.channels = link.channels;
  return out;
}
