import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * Integration tests run against the real Kafka broker and Schema Registry of scripts/stack.sh. If the stack is
 * already up (CI starts it, or a developer keeps it running), it is reused and left running; otherwise it is started
 * here and stopped after the run.
 */
export default function setup(): () => void {
  const script = fileURLToPath(new URL('../../scripts/stack.sh', import.meta.url));
  const running = spawnSync('bash', [script, 'status'], { stdio: 'ignore' }).status === 0;
  if (!running) execFileSync('bash', [script, 'start'], { stdio: 'inherit' });
  return () => {
    if (!running) execFileSync('bash', [script, 'stop'], { stdio: 'inherit' });
  };
}
