// ui-input.js: the message input. Enter sends, Shift+Enter adds a line (sent as one draft/multiline
// message when the server offers it), Tab completes nicks, channels and "/" commands (again to
// cycle), Up/Down recall earlier lines when the input is a single line. Typing notifications are
// reported to handlers.onTyping(state) ('active' or 'done'); the client throttles them.

import { commandNames } from './commands.js';

const RECALL_MAX = 100;

// Candidates starting with prefix (case-insensitively), in the given order.
export function completions(prefix, candidates) {
  const p = prefix.toLowerCase();
  return candidates.filter((c) => c.toLowerCase().startsWith(p) && c.length > 0);
}

export class InputView {
  constructor(form, textarea, handlers) {
    this.form = form;
    this.input = textarea;
    this.handlers = handlers; // {onSubmit(text), onTyping(state), candidates()}
    this.completion = null;
    this.recall = [];
    this.recallIndex = -1;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      this.submit();
    });
    textarea.addEventListener('keydown', (e) => this.onKey(e));
    textarea.addEventListener('input', () => this.onInput());
  }

  submit() {
    const text = this.input.value.replace(/\s+$/, '');
    if (text === '') return;
    this.recall.unshift(text);
    this.recall.length = Math.min(this.recall.length, RECALL_MAX);
    this.recallIndex = -1;
    this.input.value = '';
    this.autosize();
    this.handlers.onSubmit(text);
  }

  onKey(e) {
    if (e.key !== 'Tab') this.completion = null;
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      this.submit();
    } else if (e.key === 'Tab' && !e.altKey && !e.ctrlKey && this.input.value !== '') {
      e.preventDefault();
      this.complete();
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.altKey && !this.input.value.includes('\n')) {
      if (this.recallStep(e.key === 'ArrowUp' ? 1 : -1)) e.preventDefault();
    }
  }

  recallStep(delta) {
    const next = this.recallIndex + delta;
    if (next < -1 || next >= this.recall.length) return false;
    this.recallIndex = next;
    this.input.value = next === -1 ? '' : this.recall[next];
    return true;
  }

  onInput() {
    this.autosize();
    const text = this.input.value;
    this.handlers.onTyping(text === '' || text.startsWith('/') ? 'done' : 'active');
  }

  autosize() {
    this.input.style.height = 'auto';
    this.input.style.height = `${Math.min(this.input.scrollHeight, 200)}px`;
  }

  // Completes the word before the cursor; a nick at the line's start gets ": ".
  complete() {
    const el = this.input;
    if (!this.completion) {
      const cursor = el.selectionStart;
      const before = el.value.slice(0, cursor);
      const start = before.search(/\S*$/);
      const word = before.slice(start);
      if (word === '') return;
      const isCommand = start === 0 && word.startsWith('/');
      const pool = isCommand ? commandNames().map((c) => `/${c}`) : this.handlers.candidates();
      const matches = completions(word, pool);
      if (matches.length === 0) return;
      this.completion = { start, end: cursor, matches, index: -1, isCommand };
    }
    const c = this.completion;
    c.index = (c.index + 1) % c.matches.length;
    const suffix = c.isCommand ? ' ' : c.start === 0 ? ': ' : ' ';
    const replacement = c.matches[c.index] + suffix;
    el.value = el.value.slice(0, c.start) + replacement + el.value.slice(c.end);
    c.end = c.start + replacement.length;
    el.setSelectionRange(c.end, c.end);
  }

  focus() {
    this.input.focus();
  }
}
