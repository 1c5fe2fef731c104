// emitter.js: a minimal synchronous event emitter (no DOM, works in Node for the unit tests).
// Listeners run in registration order; on() returns a function that removes the listener.

export class Emitter {
  constructor() {
    this.listeners = new Map();
  }

  on(type, fn) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(fn);
    return () => {
      const list = this.listeners.get(type) || [];
      const i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  }

  emit(type, value) {
    for (const fn of [...(this.listeners.get(type) || [])]) fn(value);
  }
}
