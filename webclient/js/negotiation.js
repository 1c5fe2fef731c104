// negotiation.js: the registration steps of a Client (client.js): capability negotiation,
// SASL PLAIN and account registration. Functions of the client rather than methods, so the
// connection's life cycle and its login steps read apart; NEGOTIATION holds the handlers of the
// lines they answer, merged into the client's own table (`this` is the Client there).
//
// Contract: CAP LS 302 (possibly several lines) -> CAP REQ of the WANTED_CAPS offered -> ACK ->
// AUTHENTICATE PLAIN when an account and password are set (or REGISTER before connecting when
// `register` is set and the server allows it) -> CAP END, whatever the outcome: a failed login
// is reported as a 'notice' and the connection goes on without an account.

import { parseCapList, parseCapValue } from './irc.js';

export const WANTED_CAPS = [
  'sasl', 'server-time', 'message-tags', 'echo-message', 'batch', 'labeled-response',
  'draft/chathistory', 'draft/event-playback', 'soju.im/search', 'draft/read-marker',
  'draft/multiline', 'draft/account-registration', 'away-notify', 'account-notify',
  'extended-join', 'multi-prefix', 'userhost-in-names', 'setname', 'invite-notify', 'chghost',
  'cap-notify', 'standard-replies', 'draft/message-redaction', 'account-tag',
];

function onCapLs(client, msg) {
  const more = msg.params[2] === '*';
  const list = msg.params[more ? 3 : 2] || '';
  for (const [name, value] of parseCapList(list)) client.offered.set(name, value);
  if (more || client.capsDone) return;
  const wanted = WANTED_CAPS.filter((c) => client.offered.has(c));
  if (wanted.length === 0) endCaps(client);
  else client.send({ command: 'CAP', params: ['REQ', wanted.join(' ')] });
}

function onCapAck(client, msg) {
  for (const name of (msg.params[2] || '').split(' ').filter(Boolean)) {
    if (name.startsWith('-')) client.enabled.delete(name.slice(1));
    else client.enabled.add(name);
  }
  client.emit('caps', client.enabled);
  if (!client.capsDone) afterCapsAcked(client);
}

function afterCapsAcked(client) {
  const { account, password, register } = client.options;
  const regValue = parseCapValue(client.offered.get('draft/account-registration'));
  if (register && password && client.hasCap('draft/account-registration') && 'before-connect' in regValue) {
    sendRegister(client);
    return;
  }
  if (!register && account && password) {
    if (client.hasCap('sasl')) {
      client.send({ command: 'AUTHENTICATE', params: ['PLAIN'] });
      return;
    }
    client.emit('notice', { text: 'The server does not offer SASL: connecting without logging in' });
  }
  endCaps(client);
}

export function endCaps(client) {
  if (client.capsDone) return;
  client.capsDone = true;
  client.send({ command: 'CAP', params: ['END'] });
}

function sendSaslPlain(client) {
  const { account, password } = client.options;
  const bytes = new TextEncoder().encode(`${account}\0${account}\0${password}`);
  const encoded = btoa(String.fromCharCode(...bytes));
  for (let i = 0; i < encoded.length; i += 400) {
    client.send({ command: 'AUTHENTICATE', params: [encoded.slice(i, i + 400)] });
  }
  if (encoded.length % 400 === 0) client.send({ command: 'AUTHENTICATE', params: ['+'] });
}

export function sendRegister(client) {
  const { account, password, email } = client.options;
  client.registerPending = true;
  client.send({ command: 'REGISTER', params: [account || '*', email || '*', password] });
}

function saslFailed(msg) {
  this.emit('notice', { text: `Login failed: ${msg.params[msg.params.length - 1]}` });
  endCaps(this);
}

export const NEGOTIATION = {
  CAP(msg) {
    const sub = (msg.params[1] || '').toUpperCase();
    if (sub === 'LS') onCapLs(this, msg);
    else if (sub === 'ACK') onCapAck(this, msg);
    else if (sub === 'NAK' && !this.capsDone) endCaps(this);
    else if (sub === 'NEW') {
      for (const [name, value] of parseCapList(msg.params[2] || '')) this.offered.set(name, value);
      const wanted = WANTED_CAPS.filter((c) => this.offered.has(c) && !this.enabled.has(c) && c !== 'sasl');
      if (wanted.length > 0) this.send({ command: 'CAP', params: ['REQ', wanted.join(' ')] });
    } else if (sub === 'DEL') {
      for (const name of parseCapList(msg.params[2] || '').keys()) {
        this.offered.delete(name);
        this.enabled.delete(name);
      }
      this.emit('caps', this.enabled);
    }
  },
  AUTHENTICATE(msg) {
    if (msg.params[0] === '+') sendSaslPlain(this);
  },
  900(msg) {
    this.account = msg.params[2] || null;
  },
  903() {
    endCaps(this);
  },
  904(msg) {
    saslFailed.call(this, msg);
  },
  905(msg) {
    saslFailed.call(this, msg);
  },
  906(msg) {
    saslFailed.call(this, msg);
  },
  908() {},
  REGISTER(msg) {
    this.registerPending = false;
    const sub = msg.params[0];
    if (sub === 'SUCCESS') this.account = msg.params[1];
    const text = sub === 'SUCCESS' ? `Account ${msg.params[1]} created; you are logged in`
      : `Account ${msg.params[1]}: ${msg.params[2] || 'verification required'} (then /quote VERIFY ${msg.params[1]} <code>)`;
    this.emit('notice', { text });
    endCaps(this);
  },
  FAIL(msg) {
    if (msg.params[0] === 'REGISTER' && this.registerPending) {
      this.registerPending = false;
      endCaps(this);
    }
  },
};
