import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

/**
 * Starts Debian's docker-registry (Docker Distribution 2.8) on a free loopback port with its own
 * storage, the way the tests and the local stack use it. Never mocked.
 */
export interface RegistryOptions {
  /** `auth:` section of the registry config, as YAML lines (already indented by two spaces). */
  authYaml?: string;
  deleteEnabled?: boolean;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly url: string;
  readonly dir: string;
  stop(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions = {}): Promise<RunningRegistry> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'customs-registry-'));
  const config = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    ...(options.deleteEnabled ? ['  delete:', '    enabled: true'] : []),
    'http:',
    `  addr: 127.0.0.1:${port}`,
    ...(options.authYaml ? ['auth:', options.authYaml] : []),
  ].join('\n');
  const configPath = join(dir, 'config.yml');
  writeFileSync(configPath, `${config}\n`);
  const child = spawn('docker-registry', ['serve', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const host = `127.0.0.1:${port}`;
  await waitForRegistry(`http://${host}/v2/`, child, () => stderr);
  return {
    host,
    url: `http://${host}`,
    dir,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function waitForRegistry(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${stderr()}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.status === 200 || response.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`docker-registry did not start: ${stderr()}`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    child.once('exit', () => resolveStop());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}
