/** An element of an ExpiryHeap: the heap reads `due` and `seq` and owns `heapIndex`. */
export interface ExpiryItem {
  /** When the item expires (an event time). Must not change while the item is in a heap. */
  readonly due: number;
  /** Tie-break among equal `due`: lower first. Unique per heap, so the pop order is total and deterministic. */
  readonly seq: number;
  /** Position in the heap's array, -1 when the item is in no heap. Written by the heap only. */
  heapIndex: number;
}

function before(a: ExpiryItem, b: ExpiryItem): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}

/**
 * A binary min-heap ordered by (due, seq) whose items know their own position, so any item can be removed in
 * O(log n) without a scan and without leaving a stale entry behind. The joins keep one entry per held record, so the
 * heap's size is exactly the number of records waiting, never more: that is what makes their memory bound hold.
 *
 * Invariants:
 * - `items[i].heapIndex === i` for every item in the heap, and `heapIndex === -1` for an item in none;
 * - for every i > 0, items[parent(i)] is before items[i] in (due, seq) order, so `peek()` is the first to expire.
 */
export class ExpiryHeap<T extends ExpiryItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  /** The item that expires first, or undefined when empty. */
  peek(): T | undefined {
    return this.#items[0];
  }

  push(item: T): void {
    item.heapIndex = this.#items.length;
    this.#items.push(item);
    this.#up(item.heapIndex);
  }

  /** Removes and returns the item that expires first. */
  pop(): T | undefined {
    const top = this.#items[0];
    if (top !== undefined) this.remove(top);
    return top;
  }

  /** Removes `item` from the heap; a no-op when it is in none. */
  remove(item: T): void {
    const i = item.heapIndex;
    if (i < 0) return;
    const items = this.#items;
    const last = items.pop()!;
    item.heapIndex = -1;
    if (last === item) return;
    items[i] = last;
    last.heapIndex = i;
    // The moved item may belong above or below its new place, never both.
    if (i > 0 && before(last, items[(i - 1) >> 1]!)) this.#up(i);
    else this.#down(i);
  }

  #up(i: number): void {
    const items = this.#items;
    const item = items[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = items[p]!;
      if (!before(item, parent)) break;
      items[i] = parent;
      parent.heapIndex = i;
      i = p;
    }
    items[i] = item;
    item.heapIndex = i;
  }

  #down(i: number): void {
    const items = this.#items;
    const n = items.length;
    const item = items[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && before(items[r]!, items[l]!) ? r : l;
      const child = items[c]!;
      if (!before(child, item)) break;
      items[i] = child;
      child.heapIndex = i;
      i = c;
    }
    items[i] = item;
    item.heapIndex = i;
  }
}
