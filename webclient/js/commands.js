// commands.js: the input line's "/" commands, with no DOM.
//
// Contract: runInput(text, env) sends a line typed in a window: plain text (or "//text") as a
// message to the window's target, "/name args" through COMMANDS. env = {client, state, win,
// app} where app offers openWindow(name, {focus, fetch}), closeWindow(key) and showSearch();
// everything sent goes through env.client. Returns null, or an error text to show the user.

import { formatTags } from './irc.js';

function needTarget(env) {
  return env.win.kind === 'channel' || env.win.kind === 'query' ? env.win.name : null;
}

function send(env, command, ...params) {
  env.client.send({ command, params: params.filter((p) => p !== undefined && p !== '') });
}

export const COMMANDS = {
  join: {
    usage: '/join <#channel>[,<#channel>...] [key]', help: 'join channels',
    run(args, env) {
      if (!args[0]) return 'Usage: /join <#channel>';
      const chans = args[0].split(',').map((c) => (env.client.isChannel(c) ? c : `#${c}`));
      env.app.focusOnJoin(chans[0]);
      env.client.join(chans.join(','), args[1]);
      return null;
    },
  },
  part: {
    usage: '/part [#channel] [reason]', help: 'leave a channel',
    run(args, env, rest) {
      const explicit = args[0] && env.client.isChannel(args[0]);
      const chan = explicit ? args[0] : env.win.kind === 'channel' ? env.win.name : null;
      if (!chan) return 'Usage: /part <#channel> [reason]';
      env.client.part(chan, explicit ? rest.slice(args[0].length).trim() : rest);
      return null;
    },
  },
  msg: {
    usage: '/msg <nick|#channel> <text>', help: 'send a message',
    run(args, env, rest) {
      const text = rest.slice((args[0] || '').length).trim();
      if (!args[0] || !text) return 'Usage: /msg <target> <text>';
      env.client.say(args[0], text);
      return null;
    },
  },
  me: {
    usage: '/me <action>', help: 'send an action',
    run(args, env, rest) {
      const target = needTarget(env);
      if (!target) return 'Not in a channel or query';
      env.client.say(target, `\x01ACTION ${rest}\x01`);
      return null;
    },
  },
  nick: {
    usage: '/nick <newnick>', help: 'change your nick',
    run(args, env) {
      if (!args[0]) return 'Usage: /nick <newnick>';
      send(env, 'NICK', args[0]);
      return null;
    },
  },
  topic: {
    usage: '/topic [text]', help: 'show or set the topic',
    run(args, env, rest) {
      if (env.win.kind !== 'channel') return 'Not in a channel';
      if (rest) env.client.send({ command: 'TOPIC', params: [env.win.name, rest] });
      else send(env, 'TOPIC', env.win.name);
      return null;
    },
  },
  mode: {
    usage: '/mode [target] <modes> [args]', help: 'show or change modes',
    run(args, env) {
      const target = args[0] && !/^[+-]/.test(args[0]) ? args.shift() : needTarget(env);
      if (!target) return 'Usage: /mode <target> [modes]';
      send(env, 'MODE', target, ...args);
      return null;
    },
  },
  kick: {
    usage: '/kick <nick> [reason]', help: 'kick someone from this channel',
    run(args, env, rest) {
      if (env.win.kind !== 'channel' || !args[0]) return 'Usage (in a channel): /kick <nick> [reason]';
      send(env, 'KICK', env.win.name, args[0], rest.slice(args[0].length).trim());
      return null;
    },
  },
  whois: {
    usage: '/whois <nick>', help: 'who is this?',
    run(args, env) {
      if (!args[0]) return 'Usage: /whois <nick>';
      send(env, 'WHOIS', args[0]);
      return null;
    },
  },
  away: {
    usage: '/away [reason]', help: 'set away (no reason: back)',
    run(args, env, rest) {
      send(env, 'AWAY', rest);
      return null;
    },
  },
  search: {
    usage: '/search <text>', help: 'search the history of this window (or all with no window)',
    run(args, env, rest) {
      if (!env.client.hasCap('soju.im/search')) return 'This server does not offer search';
      if (!rest) return 'Usage: /search <text>';
      const attrs = { text: rest };
      const target = needTarget(env);
      if (target) attrs.in = target;
      env.app.showSearch(rest);
      env.client.send({ command: 'SEARCH', params: [formatTags(attrs)] });
      return null;
    },
  },
  query: {
    usage: '/query <nick> [text]', help: 'open a private conversation',
    run(args, env, rest) {
      if (!args[0] || env.client.isChannel(args[0])) return 'Usage: /query <nick> [text]';
      env.app.openWindow(args[0], { focus: true, fetch: true });
      const text = rest.slice(args[0].length).trim();
      if (text) env.client.say(args[0], text);
      return null;
    },
  },
  close: {
    usage: '/close', help: 'close this window (leaving the channel)',
    run(args, env) {
      if (env.win.kind === 'server') return 'The server window stays open';
      if (env.win.kind === 'channel' && env.win.joined) env.client.part(env.win.name);
      env.app.closeWindow(env.win.key);
      return null;
    },
  },
  quote: {
    usage: '/quote <raw IRC line>', help: 'send a raw line',
    run(args, env, rest) {
      if (!rest) return 'Usage: /quote <line>';
      env.client.sendRaw(rest);
      return null;
    },
  },
  help: {
    usage: '/help', help: 'this list',
    run(args, env) {
      env.app.showHelp(helpLines());
      return null;
    },
  },
};

export function helpLines() {
  return Object.values(COMMANDS).map((c) => `${c.usage} — ${c.help}`);
}

// Command names for tab completion of "/jo".
export function commandNames() {
  return Object.keys(COMMANDS);
}

export function runInput(text, env) {
  if (text === '') return null;
  if (!text.startsWith('/') || text.startsWith('//')) {
    const target = needTarget(env);
    if (!target) return 'Type /help; messages go to channels and queries';
    env.client.say(target, text.startsWith('//') ? text.slice(1) : text);
    return null;
  }
  const m = /^\/(\S+)\s*([\s\S]*)$/.exec(text);
  const name = m[1].toLowerCase();
  const rest = m[2];
  const command = COMMANDS[name];
  if (!command) return `Unknown command /${name} (try /help)`;
  return command.run(rest.split(/\s+/).filter(Boolean), env, rest);
}
