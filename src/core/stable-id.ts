import { createHash } from 'node:crypto';

/**
 * The deterministic id scheme of every record the engine publishes (alerts, model alerts, rollback recommendations,
 * incidents, incident events, retrain requests): the parts joined with NUL, then each present tag as
 * `\0name=value`, sha256, the first 32 hex characters. Tags are for optional parts: a null or undefined tag is left
 * out, so adding a tag keeps the ids of records without it, and a null segment and a segment named "null" differ.
 * Tags enter in the object's key order; names must not be integer-like (those would be reordered).
 *
 * Ids are stored by consumers: changing this text changes every id, so replays would no longer be recognised.
 */
export function stableId(
  parts: readonly (string | number)[],
  tags: Readonly<Record<string, string | number | null | undefined>> = {},
): string {
  let text = parts.join('\u0000');
  for (const [name, value] of Object.entries(tags)) {
    if (value !== null && value !== undefined) text += `\u0000${name}=${value}`;
  }
  return hashId(text);
}

/** The hash of stableId, for an id text built otherwise (e.g. from a record's JSON). */
export function hashId(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
