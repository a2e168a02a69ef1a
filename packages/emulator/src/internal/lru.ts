/**
 * A byte-bounded LRU map. Map keeps insertion order, so re-inserting on read makes the first key the least
 * recently used one.
 */
export class ByteLru<V> {
  private readonly items = new Map<string, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly maxItems = Number.POSITIVE_INFINITY,
  ) {}

  get(key: string): V | undefined {
    const item = this.items.get(key);
    if (!item) return undefined;
    this.items.delete(key);
    this.items.set(key, item);
    return item.value;
  }

  has(key: string): boolean {
    return this.items.has(key);
  }

  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return; // larger than the whole cache: do not keep it
    this.items.set(key, { value, bytes });
    this.total += bytes;
    while (this.total > this.maxBytes || this.items.size > this.maxItems) {
      const oldest = this.items.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const item = this.items.get(key);
    if (!item) return;
    this.items.delete(key);
    this.total -= item.bytes;
  }

  get size(): number {
    return this.items.size;
  }

  get bytes(): number {
    return this.total;
  }
}
