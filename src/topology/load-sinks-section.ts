/**
 * The topology file's `sinks:` section (topologies/README.md, "Sinks"), read into SinkSpec[]: a list of entries
 * tagged by `type` (only `webhook` so far). Problems are reported with file:line:column like the rest of the file.
 *
 * The duration check is the topology's own, passed in by load-topology.ts so there is one definition and no cycle.
 */
import { EVENT_KINDS, type EventKind } from '../alerts/subscriber.ts';
import {
  type SinkSpec,
  WEBHOOK_DEFAULT_MAX_RETRIES,
  WEBHOOK_DEFAULT_TIMEOUT_MS,
  type WebhookSinkSpec,
} from './sinks-spec.ts';
import {
  type Check,
  type FieldTable,
  list,
  literal,
  matching,
  number,
  oneOf,
  required,
  section,
  string,
  tagged,
  uniqueBy,
  withDefault,
} from './yaml-fields.ts';

/** Most retries a webhook may ask for: with the backoff's 30 s ceiling, about ten minutes per event. */
export const WEBHOOK_MAX_RETRIES = 20;

const HTTP_URL: Check<string> = (field) => {
  const value = string()(field);
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return field.fail(`"${value}" is not a URL; expected http://... or https://...`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return field.fail(`must be an http or https URL, got ${url.protocol.replace(/:$/, '')}`);
  }
  return value;
};

const ENV_NAME = matching(
  /^[A-Za-z_][A-Za-z0-9_]*$/,
  'an environment variable name: letters, digits and _, not starting with a digit',
);

const RETRIES: Check<number> = (field) => {
  const value = number()(field);
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 0 || value > WEBHOOK_MAX_RETRIES) {
    return field.fail(`must be an integer in 0..${WEBHOOK_MAX_RETRIES}, got ${value}`);
  }
  return value;
};

export interface SinkChecks {
  readonly duration: (options?: { positive?: boolean }) => Check<number>;
}

/** The section's check (a list of sinks) and the keys of each of its mappings, for the JSON schema test. */
export function sinksSection(checks: SinkChecks) {
  const WEBHOOK_FIELDS = {
    type: required(literal('webhook')),
    url: required(HTTP_URL),
    // null when absent (undefined when invalid), so an invalid one is not also reported as missing.
    secret: withDefault<string | null>(string(), null),
    secretEnv: withDefault<string | null>(ENV_NAME, null),
    events: withDefault<EventKind[]>(
      uniqueBy(list(oneOf(EVENT_KINDS), { nonEmpty: true }), 'event', { scalarItems: true }),
      [...EVENT_KINDS],
    ),
    maxRetries: withDefault(RETRIES, WEBHOOK_DEFAULT_MAX_RETRIES),
    timeout: withDefault(checks.duration({ positive: true }), WEBHOOK_DEFAULT_TIMEOUT_MS),
  } satisfies FieldTable;

  const webhook = section(WEBHOOK_FIELDS, {
    check: (v, at) => {
      if (typeof v.secret === 'string' && typeof v.secretEnv === 'string') {
        at.fail('secret', 'use either secret or secretEnv, not both (prefer secretEnv)');
      } else if (v.secret === null && v.secretEnv === null) {
        at.fail(
          'secretEnv',
          'required: name the environment variable that holds the signing secret (or give secret)',
        );
      }
    },
    build: (v): WebhookSinkSpec => ({
      type: 'webhook',
      url: v.url,
      secret: v.secret,
      secretEnv: v.secretEnv,
      events: v.events,
      maxRetries: v.maxRetries,
      timeoutMs: v.timeout,
    }),
  });

  const sink: Check<SinkSpec> = tagged<SinkSpec>('type', { webhook }, { noun: 'sink type' });

  return {
    check: list(sink) as Check<SinkSpec[]>,
    keys: { webhook: Object.keys(WEBHOOK_FIELDS) },
  };
}
