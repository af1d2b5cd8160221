/**
 * The pub/sub inspector: every message on the bus (subscription `>`) kept in a fixed-size ring buffer,
 * shown newest first, with a subject filter, pause and clear. The page passes in the NATS websocket client
 * it loaded from ./vendor/nats.ws/nats.js.
 */

/** Keeps the newest `capacity` items; older ones are dropped as new ones arrive. */
export class RingBuffer<T> {
  private readonly slots: (T | undefined)[];
  private start = 0;
  private count = 0;
  private droppedCount = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity <= 0) throw new Error(`capacity must be a positive integer`);
    this.slots = new Array<T | undefined>(capacity);
  }

  push(item: T): void {
    if (this.count < this.capacity) {
      this.slots[(this.start + this.count) % this.capacity] = item;
      this.count++;
    } else {
      this.slots[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
      this.droppedCount++;
    }
  }

  /** Oldest first. */
  items(): T[] {
    return Array.from({ length: this.count }, (_, i) => this.slots[(this.start + i) % this.capacity] as T);
  }

  clear(): void {
    this.slots.fill(undefined);
    this.start = 0;
    this.count = 0;
    this.droppedCount = 0;
  }

  get size(): number {
    return this.count;
  }

  get dropped(): number {
    return this.droppedCount;
  }
}

const escapeRegExp = (text: string) => text.replace(/[.+?^${}()|[\]\\/]/g, "\\$&");

/**
 * Subject filter: `*` stands for any run of characters within one dot-separated token and `>` for the
 * rest of the subject (so `pricing.*` and `/accounts/*\/orders` work); text without wildcards matches
 * anywhere in the subject, ignoring case. An empty filter matches everything.
 */
export function subjectMatcher(filter: string): (subject: string) => boolean {
  const text = filter.trim();
  if (text === "") return () => true;
  if (!/[*>]/.test(text)) {
    const needle = text.toLowerCase();
    return (subject) => subject.toLowerCase().includes(needle);
  }
  const pattern = text
    .split(/([*>])/)
    .map((part) => (part === "*" ? "[^.]*" : part === ">" ? ".+" : escapeRegExp(part)))
    .join("");
  const regex = new RegExp(`^${pattern}$`);
  return (subject) => regex.test(subject);
}

export interface InspectedMessage {
  receivedAt: Date;
  subject: string;
  data: string;
}

export type ConnectionState = "connecting" | "connected" | "disconnected";

/** How many of the buffered rows are drawn; the rest stay in the buffer and count in the status line. */
const RENDER_LIMIT = 500;
const PAYLOAD_PREVIEW = 400;

export interface InspectorView {
  add(message: InspectedMessage): void;
  setState(state: ConnectionState): void;
  /** Draws pending changes now (the view otherwise redraws at most every `redrawMs`). */
  render(): void;
}

/** Binds the page's controls: #filter-input, #pause-btn, #clear-btn, #messages, #buffer-status, #connection-state. */
export function createInspectorView(root: Document, maxBuffer: number, redrawMs = 200): InspectorView {
  const buffer = new RingBuffer<InspectedMessage>(maxBuffer);
  const byId = <T extends HTMLElement>(id: string) => {
    const element = root.getElementById(id);
    if (!element) throw new Error(`the inspector page has no #${id}`);
    return element as T;
  };
  const filterInput = byId<HTMLInputElement>("filter-input");
  const pauseButton = byId<HTMLButtonElement>("pause-btn");
  const clearButton = byId<HTMLButtonElement>("clear-btn");
  const body = byId<HTMLTableSectionElement>("messages");
  const status = byId<HTMLElement>("buffer-status");
  const connection = byId<HTMLElement>("connection-state");

  let paused = false;
  let arrivedWhilePaused = 0;
  let redrawTimer: ReturnType<typeof setTimeout> | undefined;

  let shownCount = 0;
  const showStatus = () => {
    const pausedNote = paused ? ` · paused, ${arrivedWhilePaused} new since` : "";
    status.textContent =
      `${shownCount} shown of ${buffer.size} buffered (ring buffer of ${buffer.capacity}` +
      `${buffer.dropped > 0 ? `, ${buffer.dropped} older dropped` : ""})${pausedNote}`;
  };
  const render = () => {
    clearTimeout(redrawTimer);
    redrawTimer = undefined;
    const matches = subjectMatcher(filterInput.value);
    const shown = buffer
      .items()
      .filter((message) => matches(message.subject))
      .reverse();
    shownCount = shown.length;
    const rows = shown.slice(0, RENDER_LIMIT).map((message) => {
      const row = root.createElement("tr");
      const time = root.createElement("td");
      time.textContent = message.receivedAt.toISOString().slice(11, 23);
      const subject = root.createElement("td");
      subject.className = "subject";
      subject.textContent = message.subject;
      const payload = root.createElement("td");
      payload.className = "payload";
      payload.textContent =
        message.data.length > PAYLOAD_PREVIEW ? `${message.data.slice(0, PAYLOAD_PREVIEW)}…` : message.data;
      payload.title = message.data;
      row.append(time, subject, payload);
      return row;
    });
    body.replaceChildren(...rows);
    showStatus();
  };
  const scheduleRender = () => {
    redrawTimer ??= setTimeout(render, redrawMs);
  };

  filterInput.addEventListener("input", render);
  pauseButton.addEventListener("click", () => {
    paused = !paused;
    arrivedWhilePaused = 0;
    pauseButton.textContent = paused ? "Resume" : "Pause";
    pauseButton.setAttribute("aria-pressed", String(paused));
    render();
  });
  clearButton.addEventListener("click", () => {
    buffer.clear();
    arrivedWhilePaused = 0;
    render();
  });
  render();

  return {
    add(message) {
      buffer.push(message);
      if (paused) {
        // The list stays frozen while paused; only the counts move.
        arrivedWhilePaused++;
        showStatus();
      } else {
        scheduleRender();
      }
    },
    setState(state) {
      connection.textContent = state;
      connection.className = `state-${state}`;
    },
    render,
  };
}

/** The subset of the NATS client the inspector uses. */
interface NatsClient {
  subscribe(subject: string, options: { callback: (error: unknown, message: NatsMessage) => void }): unknown;
  status(): AsyncIterable<{ type: string }>;
  closed(): Promise<unknown>;
}
interface NatsMessage {
  subject: string;
  string(): string;
}

export interface InspectorOptions {
  connect: (options: Record<string, unknown>) => Promise<NatsClient>;
  servers: string;
  maxBuffer: number;
  root: Document;
}

const RETRY_MS = 1000;

/** Connects (and keeps reconnecting) to the bus and feeds every message into the view. */
export async function startInspector({ connect, servers, maxBuffer, root }: InspectorOptions): Promise<void> {
  const view = createInspectorView(root, maxBuffer);
  for (;;) {
    view.setState("connecting");
    try {
      const client = await connect({ servers, reconnect: true, maxReconnectAttempts: -1, timeout: 3000 });
      client.subscribe(">", {
        callback: (error, message) => {
          if (!error) view.add({ receivedAt: new Date(), subject: message.subject, data: message.string() });
        },
      });
      view.setState("connected");
      void (async () => {
        for await (const event of client.status()) {
          if (event.type === "disconnect") view.setState("disconnected");
          else if (event.type === "reconnect") view.setState("connected");
        }
      })();
      await client.closed();
    } catch {
      // retried below
    }
    view.setState("disconnected");
    await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
  }
}
