// dom.js: building elements without markup strings. User text only ever becomes a text node
// (textContent), never HTML, so nothing a server or another user sends can inject markup.

// h('li', {class: 'msg', dataset: {id: 1}, onclick: fn}, child, 'text', ...)
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style') setStyle(el, value);
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

// Custom properties (--name) need setProperty; the others are plain style fields.
function setStyle(el, style) {
  for (const [prop, v] of Object.entries(style)) {
    if (prop.startsWith('--')) el.style.setProperty(prop, String(v));
    else el.style[prop] = v;
  }
}

export function clear(el) {
  el.replaceChildren();
}

export function $(selector, root = document) {
  return root.querySelector(selector);
}
