/**
 * Which input offsets may be committed. An offset may be committed only when every event before it has been fully
 * accounted for: dead-lettered, counted as late, or part of a window whose results have been produced.
 *
 * Holders (open windows, and closed windows whose results are still being produced) hold the lowest offset they
 * contain per partition. The committable offset of a partition is the lowest held offset, or, when nothing is held,
 * one past the last offset processed. Committing that offset means a restart re-reads at most the events of windows
 * that had not been published, which is at-least-once for window results.
 */
export class OffsetLedger {
  readonly #next = new Map<number, number>();
  readonly #holds = new Map<string, Map<number, number>>();

  /** Notes that every offset below `nextOffset` on `partition` has been read and handled or held. */
  advance(partition: number, nextOffset: number): void {
    const current = this.#next.get(partition);
    if (current === undefined || nextOffset > current) this.#next.set(partition, nextOffset);
  }

  /** `holder` holds `offset` of `partition` (keeps the lowest). */
  hold(holder: string, partition: number, offset: number): void {
    let byPartition = this.#holds.get(holder);
    if (byPartition === undefined) {
      byPartition = new Map();
      this.#holds.set(holder, byPartition);
    }
    const held = byPartition.get(partition);
    if (held === undefined || offset < held) byPartition.set(partition, offset);
  }

  /** Moves everything `from` holds to `into` (keeping the lowest per partition), e.g. when two sessions merge. */
  transfer(from: string, into: string): void {
    const held = this.#holds.get(from);
    if (held === undefined || from === into) return;
    this.#holds.delete(from);
    for (const [partition, offset] of held) this.hold(into, partition, offset);
  }

  release(holder: string): void {
    this.#holds.delete(holder);
  }

  get holderCount(): number {
    return this.#holds.size;
  }

  /** The offset to commit for `partition` (the next one a restarted consumer reads), or undefined if none yet. */
  committable(partition: number): number | undefined {
    let result = this.#next.get(partition);
    if (result === undefined) return undefined;
    for (const byPartition of this.#holds.values()) {
      const held = byPartition.get(partition);
      if (held !== undefined && held < result) result = held;
    }
    return result;
  }

  partitions(): number[] {
    return [...this.#next.keys()];
  }

  forget(partition: number): void {
    this.#next.delete(partition);
    for (const byPartition of this.#holds.values()) byPartition.delete(partition);
  }
}
