/**
 * Tumbling windows: fixed size, aligned to the epoch, no gaps or overlap. Window [start, start + size) holds every
 * event time t with start <= t < start + size. Floor division keeps negative times in the right window.
 */
export function tumblingWindowStart(eventTime: number, sizeMs: number): number {
  return Math.floor(eventTime / sizeMs) * sizeMs;
}
