import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentEventRecord } from '../../src/alerts/incident-event.ts';
import type { AlertEvent } from '../../src/alerts/subscriber.ts';
import { ErrorCodes, isDriftwatchError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging/logger.ts';
import { verifyWebhookSignature, WebhookSink } from '../../src/sinks/webhook-sink.ts';
import { driftAlertRecord } from '../support/drift-alert-record.ts';

const SECRET = 'whsec-test-secret';

function alert(id: string): AlertEvent {
  const record = driftAlertRecord({
    alert_id: id,
    out_of_reference: 2,
    baseline_version: 'abc',
    detected_at: Date.UTC(2026, 10, 22, 6, 41, 2),
  });
  return { kind: 'drift-alert', record };
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

/** A local receiver; `answer` decides the response to the n-th request (0-based). */
async function receiver(answer: (n: number, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
      });
      answer(received.length - 1, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  cleanups.push(close);
  return { url, received, close };
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const status =
  (code: number, headers: Record<string, string> = {}) =>
  (_n: number, res: ServerResponse) => {
    res.writeHead(code, headers);
    res.end();
  };

function sink(url: string, options: Partial<ConstructorParameters<typeof WebhookSink>[0]> = {}): WebhookSink {
  return new WebhookSink({ url, secret: SECRET, backoffMs: 10, logger: silentLogger, ...options });
}

describe('WebhookSink', () => {
  it('POSTs the event JSON with its kind, id, timestamp and a signature that verifies', async () => {
    const server = await receiver(status(204));
    const s = sink(server.url);
    expect(s.send(alert('a1'))).toBe(true);
    expect(await s.close()).toEqual({ sent: 1, failed: 0, dropped: 0, retries: 0, queued: 0 });

    expect(server.received).toHaveLength(1);
    const { headers, body } = server.received[0]!;
    expect(headers['content-type']).toBe('application/json');
    expect(headers['x-driftwatch-event']).toBe('drift-alert');
    expect(headers['x-driftwatch-id']).toBe('a1');
    const timestamp = headers['x-driftwatch-timestamp'] as string;
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(5);
    // The recipe of the docs, computed here independently of the sink's code.
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;
    expect(headers['x-driftwatch-signature']).toBe(expected);
    const signature = headers['x-driftwatch-signature'] as string;
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body)).toBe(true);
    expect(verifyWebhookSignature(SECRET, { timestamp, signature }, body.replace('0.31', '0.32'))).toBe(
      false,
    );
    expect(verifyWebhookSignature('other', { timestamp, signature }, body)).toBe(false);
    expect(
      verifyWebhookSignature(SECRET, { timestamp, signature }, body, { nowSeconds: Number(timestamp) + 301 }),
    ).toBe(false);

    const json = JSON.parse(body);
    expect(Object.keys(json)).toEqual(['kind', 'name', 'id', 'record']);
    expect(json).toMatchObject({ kind: 'drift-alert', name: 'io.driftwatch.alerts.DriftAlert', id: 'a1' });
    expect(json.record.window_start).toBe('2026-11-22T06:40:00.000Z');
    expect(json.record.detected_at).toBe('2026-11-22T06:41:02.000Z');
    expect(json.record.current_size).toBe(600);
  });

  it('retries a 503 with backoff, under the same id, until it is accepted', async () => {
    const server = await receiver((n, res) => status(n < 2 ? 503 : 200)(n, res));
    const s = sink(server.url, { backoffMs: 40 });
    s.send(alert('a2'));
    expect(await s.close()).toEqual({ sent: 1, failed: 0, dropped: 0, retries: 2, queued: 0 });
    expect(server.received.map((r) => r.headers['x-driftwatch-id'])).toEqual(['a2', 'a2', 'a2']);
    // Equal jitter: the n-th wait is at least half of 40 * 2^n ms.
    const [first, second, third] = server.received.map((r) => r.at) as [number, number, number];
    expect(second - first).toBeGreaterThanOrEqual(20 - 2);
    expect(third - second).toBeGreaterThanOrEqual(40 - 2);
  });

  it('does not retry a 400, and counts it failed', async () => {
    const server = await receiver(status(400));
    const s = sink(server.url);
    s.send(alert('a3'));
    expect(await s.close()).toEqual({ sent: 0, failed: 1, dropped: 0, retries: 0, queued: 0 });
    expect(server.received).toHaveLength(1);
  });

  it('waits as long as Retry-After asks on a 429', async () => {
    const server = await receiver((n, res) =>
      (n === 0 ? status(429, { 'retry-after': '1' }) : status(200))(n, res),
    );
    const s = sink(server.url, { backoffMs: 1 });
    s.send(alert('a4'));
    expect(await s.close()).toEqual({ sent: 1, failed: 0, dropped: 0, retries: 1, queued: 0 });
    const [first, second] = server.received.map((r) => r.at) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(990);
  });

  it('retries network errors up to maxRetries, then counts the event failed', async () => {
    const server = await receiver(status(200));
    await server.close();
    const s = sink(server.url, { maxRetries: 2, backoffMs: 1 });
    s.send(alert('a5'));
    expect(await s.close()).toEqual({ sent: 0, failed: 1, dropped: 0, retries: 2, queued: 0 });
  });

  it('drops and counts what overflows its queue, without blocking send', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const server = await receiver((n, res) => {
      if (n === 0) void held.then(() => status(200)(n, res));
      else status(200)(n, res);
    });
    const s = sink(server.url, { maxQueue: 2 });
    // The first is in flight at once; two wait; the last two find the queue full.
    expect(['q1', 'q2', 'q3', 'q4', 'q5'].map((id) => s.send(alert(id)))).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(s.counters).toEqual({ sent: 0, failed: 0, dropped: 2, retries: 0, queued: 2 });
    release();
    expect(await s.close()).toEqual({ sent: 3, failed: 0, dropped: 2, retries: 0, queued: 0 });
    expect(server.received.map((r) => r.headers['x-driftwatch-id'])).toEqual(['q1', 'q2', 'q3']);
  });

  it('close drains the queue in order, then refuses new events', async () => {
    const server = await receiver((n, res) => setTimeout(() => status(200)(n, res), 20));
    const s = sink(server.url);
    for (const id of ['d1', 'd2', 'd3', 'd4']) s.send(alert(id));
    expect(await s.close(5_000)).toEqual({ sent: 4, failed: 0, dropped: 0, retries: 0, queued: 0 });
    expect(server.received.map((r) => r.headers['x-driftwatch-id'])).toEqual(['d1', 'd2', 'd3', 'd4']);
    expect(s.send(alert('late'))).toBe(false);
    expect(s.counters.dropped).toBe(1);
  });

  it('close gives up after its timeout, aborting the request in flight and dropping the rest', async () => {
    const server = await receiver(() => {}); // never answers
    const s = sink(server.url, { timeoutMs: 60_000 });
    for (const id of ['t1', 't2', 't3']) s.send(alert(id));
    const started = performance.now();
    expect(await s.close(150)).toEqual({ sent: 0, failed: 0, dropped: 3, retries: 0, queued: 0 });
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('ignores kinds it is not configured for, without counting them', async () => {
    const server = await receiver(status(200));
    const s = sink(server.url, { events: ['incident'] });
    expect(s.send(alert('k1'))).toBe(false);
    // Only the id matters to the sink; the rest of the record is passed through as it is.
    const incident = { event_id: 'i1', severity: 'critical' } as unknown as IncidentEventRecord;
    expect(s.send({ kind: 'incident', record: incident })).toBe(true);
    expect(await s.close()).toEqual({ sent: 1, failed: 0, dropped: 0, retries: 0, queued: 0 });
    expect(server.received.map((r) => r.headers['x-driftwatch-id'])).toEqual(['i1']);
    expect(server.received[0]!.headers['x-driftwatch-event']).toBe('incident');
  });

  it('reads the secret from the environment variable its spec names, and refuses an unset one', async () => {
    const server = await receiver(status(200));
    const spec = {
      type: 'webhook' as const,
      url: server.url,
      secret: null,
      secretEnv: 'DW_TEST_HOOK_SECRET',
      events: ['drift-alert' as const],
      maxRetries: 0,
      timeoutMs: 1_000,
    };
    const s = WebhookSink.fromSpec(spec, { env: { DW_TEST_HOOK_SECRET: 'from-env' }, logger: silentLogger });
    s.send(alert('e1'));
    await s.close();
    const { headers, body } = server.received[0]!;
    const timestamp = headers['x-driftwatch-timestamp'] as string;
    expect(headers['x-driftwatch-signature']).toBe(
      `sha256=${createHmac('sha256', 'from-env').update(`${timestamp}.${body}`).digest('hex')}`,
    );
    let error: unknown;
    try {
      WebhookSink.fromSpec(spec, { env: {} });
    } catch (e) {
      error = e;
    }
    expect(isDriftwatchError(error, ErrorCodes.INVALID_OPTION)).toBe(true);
    expect((error as Error).message).toContain('DW_TEST_HOOK_SECRET');
  });

  it('validates its options', () => {
    expect(() => new WebhookSink({ url: 'ftp://x', secret: 's' })).toThrow(
      /url must be an http or https URL/,
    );
    expect(() => new WebhookSink({ url: 'http://x', secret: '' })).toThrow(
      /secret must be a non-empty string/,
    );
    expect(() => new WebhookSink({ url: 'http://x', secret: 's', maxRetries: -1 })).toThrow(/maxRetries/);
  });
});
