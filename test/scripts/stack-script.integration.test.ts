import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));

function stack(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync('bash', [SCRIPT, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

async function listen(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0)) c();
});

describe('scripts/stack.sh', () => {
  it('reuses the running stack when started twice', () => {
    // The global setup has started (or found) the stack.
    const { status, output } = stack(['start']);
    expect(status).toBe(0);
    expect(output).toContain('Kafka broker already running');
    expect(output).toContain('registry already running');
    expect(stack(['status']).status).toBe(0);
  });

  it('refuses a port held by a process it did not start, naming the port and the variable', async () => {
    const { server, port } = await listen();
    const dir = mkdtempSync(join(tmpdir(), 'dw-stack-'));
    cleanups.push(
      () => server.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    const { status, output } = stack(['start'], {
      DRIFTWATCH_STACK_DIR: dir,
      DRIFTWATCH_KAFKA_PORT: String(port),
    });
    expect(status).toBe(1);
    expect(output).toContain(`port ${port} is in use`);
    expect(output).toContain('DRIFTWATCH_KAFKA_PORT');
  });

  it('reports and removes a stale pid file', async () => {
    const { server, port } = await listen();
    const dir = mkdtempSync(join(tmpdir(), 'dw-stack-'));
    cleanups.push(
      () => server.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    mkdirSync(join(dir, 'kafka'), { recursive: true });
    // A pid far above pid_max on Linux cannot belong to a live process.
    writeFileSync(join(dir, 'kafka', 'broker.pid'), '99999999\n');
    const { output } = stack(['start'], { DRIFTWATCH_STACK_DIR: dir, DRIFTWATCH_KAFKA_PORT: String(port) });
    expect(output).toContain('removing stale pid file for the broker (pid 99999999 is not running)');
    const stop = stack(['stop'], { DRIFTWATCH_STACK_DIR: dir });
    expect(stop.status).toBe(0);
    expect(stop.output).toContain('Kafka broker: not running');
  });

  it('answers an unknown command with its usage', () => {
    const { status, output } = stack(['launch']);
    expect(status).toBe(2);
    expect(output).toContain('usage: bash scripts/stack.sh');
  });
});
