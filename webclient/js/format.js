// format.js: IRC text formatting and links as data, with no DOM.
//
// Contract: parseFormatting(text) splits a message into runs {text, bold, italic, underline,
// strike, mono, fg, bg} (colours are indexes 0-98 or '#rrggbb'; reverse swaps them), with every
// control code removed; stripFormatting(text) keeps only the text. linkify(text) splits a run
// into [{text, href?}] where href is only ever an http(s) URL, so the views can build <a>
// elements from it without any markup parsing.

const CONTROL = /[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/;

function emptyStyle() {
  return { bold: false, italic: false, underline: false, strike: false, mono: false, reverse: false, fg: null, bg: null };
}

const TOGGLES = { '\x02': 'bold', '\x1d': 'italic', '\x1f': 'underline', '\x1e': 'strike', '\x11': 'mono', '\x16': 'reverse' };

export function parseFormatting(text) {
  if (!CONTROL.test(text)) return [{ text, ...emptyStyle() }];
  const runs = [];
  let style = emptyStyle();
  let buf = '';
  const flush = () => {
    if (buf !== '') runs.push(finishRun(buf, style));
    buf = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (TOGGLES[c]) {
      flush();
      style = { ...style, [TOGGLES[c]]: !style[TOGGLES[c]] };
    } else if (c === '\x0f') {
      flush();
      style = emptyStyle();
    } else if (c === '\x03' || c === '\x04') {
      flush();
      const re = c === '\x03' ? /^(\d{1,2})?(?:,(\d{1,2}))?/ : /^([0-9a-fA-F]{6})?(?:,([0-9a-fA-F]{6}))?/;
      const m = re.exec(text.slice(i + 1));
      const hex = c === '\x04';
      const fg = m[1] === undefined ? null : hex ? `#${m[1]}` : Number(m[1]);
      const bg = m[2] === undefined || m[1] === undefined ? style.bg : hex ? `#${m[2]}` : Number(m[2]);
      style = fg === null ? { ...style, fg: null, bg: null } : { ...style, fg, bg };
      i += (m[1] !== undefined ? m[0].length : 0);
    } else {
      buf += c;
    }
  }
  flush();
  return runs;
}

function finishRun(text, style) {
  const { reverse, ...rest } = style;
  const run = { text, ...rest };
  if (reverse) {
    run.fg = style.bg ?? 'bg';
    run.bg = style.fg ?? 'fg';
  }
  if (run.fg === 99) run.fg = null; // 99: the default colour
  if (run.bg === 99) run.bg = null;
  return run;
}

export function stripFormatting(text) {
  return parseFormatting(text).map((r) => r.text).join('');
}

// http(s) URLs and bare www. hosts; trailing punctuation that usually ends a sentence is left out,
// and a closing parenthesis only when the URL has no opening one.
const URL_RE = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;

export function linkify(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(URL_RE)) {
    let url = m[0];
    while (/[.,;:!?'"\]>]$/.test(url) || (url.endsWith(')') && !url.includes('('))) url = url.slice(0, -1);
    if (url.length < 5) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    const href = /^https?:\/\//i.test(url) ? url : `https://${url}`;
    out.push({ text: url, href });
    last = m.index + url.length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}
