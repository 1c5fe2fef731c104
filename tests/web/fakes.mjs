// Fakes for the DOM-free client: a WebSocket that records what is sent and lets a test deliver
// lines and closes, and timers that only advance when the test says so.

export class FakeTimers {
  constructor() {
    this.now = 0;
    this.nextId = 1;
    this.pending = new Map(); // id -> {at, fn}
    this.setTimeout = (fn, ms) => {
      const id = this.nextId++;
      this.pending.set(id, { at: this.now + ms, fn });
      return id;
    };
    this.clearTimeout = (id) => this.pending.delete(id);
  }

  // Delays of the timers now pending, soonest first.
  delays() {
    return [...this.pending.values()].map((t) => t.at - this.now).sort((a, b) => a - b);
  }

  advance(ms) {
    const until = this.now + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at);
      if (due.length === 0) break;
      const [id, t] = due[0];
      this.pending.delete(id);
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
}

export function fakeSocketClass() {
  const sockets = [];
  class FakeSocket {
    constructor(url, protocol) {
      this.url = url;
      this.protocol = protocol;
      this.sent = [];
      this.closed = false;
      sockets.push(this);
    }
    send(line) {
      if (this.closed) throw new Error('send on a closed socket');
      this.sent.push(line);
    }
    close() {
      if (this.closed) return;
      this.closed = true;
      if (this.onclose) this.onclose({ code: 1000 });
    }
    // test side
    open() {
      this.onopen();
    }
    recv(...lines) {
      for (const line of lines) this.onmessage({ data: line });
    }
    drop() {
      this.closed = true;
      this.onclose({ code: 1006 });
    }
    take() {
      const out = this.sent;
      this.sent = [];
      return out;
    }
  }
  return { FakeSocket, sockets };
}

// Lets pending promise callbacks run.
export function flush() {
  return new Promise((resolve) => setImmediate(resolve));
}
