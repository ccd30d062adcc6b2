import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answers, freeLoopbackPort as freePort, startLocalProcess, waitUntilReady } from '../../lambdas/local/local-process.ts';

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
  /** `storage.filesystem.rootdirectory` of its config. */
  readonly storageRoot: string;
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
  const service = startLocalProcess('docker-registry', ['serve', configPath]);
  const host = `127.0.0.1:${port}`;
  await waitUntilReady(service, 'docker-registry', () => answers(`http://${host}/v2/`, (status) => status === 200 || status === 401), { timeoutMs: 15_000 });
  return {
    host,
    url: `http://${host}`,
    dir,
    storageRoot: join(dir, 'data'),
    async stop() {
      await service.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
