/** One encoded event as the producer sends it. */
export interface OutgoingMessage {
  readonly key: string | null;
  readonly value: Buffer;
}

/**
 * A fixed-capacity FIFO of encoded events. The slots are allocated once, so appending is O(1) and allocates
 * nothing. Events leave only from the head, and only once the broker has them (`release`): events being sent or
 * retried stay in the buffer and count against its capacity.
 */
export class EventRingBuffer {
  readonly capacity: number;
  readonly #values: (Buffer | null)[];
  readonly #keys: (string | null)[];
  #head = 0;
  #size = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.#values = new Array<Buffer | null>(capacity).fill(null);
    this.#keys = new Array<string | null>(capacity).fill(null);
  }

  get size(): number {
    return this.#size;
  }

  get full(): boolean {
    return this.#size === this.capacity;
  }

  /** Appends at the tail; false (and nothing changes) when the buffer is full. */
  push(value: Buffer, key: string | null): boolean {
    if (this.#size === this.capacity) return false;
    let tail = this.#head + this.#size;
    if (tail >= this.capacity) tail -= this.capacity;
    this.#values[tail] = value;
    this.#keys[tail] = key;
    this.#size++;
    return true;
  }

  /**
   * The first events, oldest first, without removing them: at most `count`, and no more than fit in `maxBytes` of
   * values and keys (but always the first event, whatever its size, when there is one).
   */
  peek(count: number, maxBytes = Number.POSITIVE_INFINITY): OutgoingMessage[] {
    const n = Math.min(count, this.#size);
    const out: OutgoingMessage[] = [];
    let at = this.#head;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      const value = this.#values[at]!;
      const key = this.#keys[at]!;
      bytes += value.length + (key === null ? 0 : Buffer.byteLength(key));
      if (i > 0 && bytes > maxBytes) break;
      out.push({ key, value });
      if (++at === this.capacity) at = 0;
    }
    return out;
  }

  /** Removes the first `count` events (at most `size`); returns how many were removed. */
  release(count: number): number {
    const n = Math.min(count, this.#size);
    let at = this.#head;
    for (let i = 0; i < n; i++) {
      // Cleared so that sent payloads can be collected while the slot waits for reuse.
      this.#values[at] = null;
      this.#keys[at] = null;
      if (++at === this.capacity) at = 0;
    }
    this.#head = at;
    this.#size -= n;
    return n;
  }
}
