/** The request log tests read: what was asked, what was answered, whether the client went away. */
import type { LogEntry, LogEntryKind, RequestLog } from '../types.js';

const KEEP_CHARS = 64;

/** Shortens data URIs and long base64 strings so the log stays small and readable. */
export function shortenForLog(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.startsWith('data:') && value.length > KEEP_CHARS) {
      const comma = value.indexOf(',');
      return `${value.slice(0, comma + 1)}${value.slice(comma + 1, comma + 17)}…(${value.length} chars)`;
    }
    if (value.length > 512 && /^[A-Za-z0-9+/=\s]+$/.test(value.slice(0, 512))) return `${value.slice(0, 16)}…(${value.length} chars)`;
    return value;
  }
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => shortenForLog(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shortenForLog(item, depth + 1)]));
}

/** Lower-cased headers with the credential hidden. */
export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    const lower = name.toLowerCase();
    if (lower === 'authorization') out[lower] = /^bearer\s/i.test(text) ? 'Bearer ***' : '***';
    else if (lower === 'x-api-key' || lower === 'api-key') out[lower] = '***';
    else out[lower] = text;
  }
  return out;
}

type Waiter = { predicate: (entry: LogEntry) => boolean; resolve: (entry: LogEntry) => void };

export class MemoryRequestLog implements RequestLog {
  readonly entries: LogEntry[] = [];
  private nextId = 1;
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly limit: number) {}

  start(init: { kind: LogEntryKind; method: string; url: string; headers: Record<string, string>; requestId: string }): LogEntry {
    const queryAt = init.url.indexOf('?');
    const entry: LogEntry = {
      id: this.nextId++,
      kind: init.kind,
      method: init.method,
      path: queryAt === -1 ? init.url : init.url.slice(0, queryAt),
      url: init.url,
      headers: init.headers,
      body: undefined,
      fault: undefined,
      status: 0,
      imagesGenerated: 0,
      stream: false,
      aborted: false,
      startedAt: Date.now(),
      endedAt: undefined,
      requestId: init.requestId,
      response: undefined,
      events: [],
    };
    this.entries.push(entry);
    if (this.entries.length > this.limit) this.entries.splice(0, this.entries.length - this.limit);
    this.changed(entry);
    return entry;
  }

  /** Applies a change to an entry and wakes waiters whose predicate now holds. */
  update(entry: LogEntry, patch: Partial<LogEntry>): void {
    Object.assign(entry, patch);
    this.changed(entry);
  }

  generations(): LogEntry[] {
    return this.entries.filter((entry) => entry.kind === 'generation');
  }

  downloads(): LogEntry[] {
    return this.entries.filter((entry) => entry.kind === 'download');
  }

  clear(): void {
    this.entries.length = 0;
  }

  waitFor(predicate: (entry: LogEntry) => boolean, timeoutMs = 5000): Promise<LogEntry> {
    const existing = this.entries.find((entry) => safeTest(predicate, entry));
    if (existing) return Promise.resolve(existing);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve: (entry) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(entry);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`RequestLog.waitFor: no matching entry within ${timeoutMs} ms (${this.entries.length} entries logged)`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  private changed(entry: LogEntry): void {
    for (const waiter of [...this.waiters]) if (safeTest(waiter.predicate, entry)) waiter.resolve(entry);
  }
}

function safeTest(predicate: (entry: LogEntry) => boolean, entry: LogEntry): boolean {
  try {
    return predicate(entry);
  } catch {
    return false;
  }
}
