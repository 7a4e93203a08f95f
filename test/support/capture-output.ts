import { vi } from 'vitest';

/**
 * Captures what is written to `stream` (process.stdout by default) instead of printing it, until the test's
 * vi.restoreAllMocks(); the returned function reads what was written so far.
 */
export function captureOutput(stream: NodeJS.WriteStream = process.stdout): () => string {
  let text = '';
  vi.spyOn(stream, 'write').mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  return () => text;
}
