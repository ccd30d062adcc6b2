import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { answers, onPath, startLocalProcess, waitUntilReady } from './local-process.ts';

/**
 * The local stack's registry: Debian's docker-registry (Docker Distribution 2.8) on loopback, with
 * filesystem storage kept in the stack's data directory between runs, deletes enabled (so images can
 * be removed by digest) and a webhook endpoint that receives its manifest events, as ECR's
 * EventBridge events reach the deployed pipeline.
 */
export interface LocalRegistryOptions {
  /** The stack's data directory; the registry keeps its config and storage under `registry/`. */
  readonly dataDir: string;
  readonly port: number;
  /** Where the registry POSTs its notification envelopes. */
  readonly notifyUrl: string;
  /** Sent as `Authorization: Bearer <token>` with each notification. */
  readonly notifyToken: string;
}

export interface RunningLocalRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `storage.filesystem.rootdirectory` of its config (what DistributionQuarantineRegistry untags in). */
  readonly storageRoot: string;
  /** Stops the process; the storage stays. */
  stop(): Promise<void>;
}

const COMMAND = 'docker-registry';

// Blob events say nothing the pipeline acts on (it reads manifests), and pulls change nothing: only
// manifest pushes and deletes are sent. Distribution gives uploaded blobs application/octet-stream.
const IGNORED_MEDIA_TYPES = [
  'application/octet-stream',
  'application/vnd.oci.image.config.v1+json',
  'application/vnd.docker.container.image.v1+json',
  'application/vnd.oci.image.layer.v1.tar',
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.v1.tar+zstd',
  'application/vnd.oci.image.layer.nondistributable.v1.tar',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+zstd',
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.diff.tar.zstd',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];

export async function startLocalRegistry(options: LocalRegistryOptions): Promise<RunningLocalRegistry> {
  const port = checkedPort(options.port);
  const notifyUrl = checkedNotifyUrl(options.notifyUrl);
  const token = checkedToken(options.notifyToken);
  if (!onPath(COMMAND)) throw new Error(`${COMMAND} (Docker Distribution 2.8) is not on PATH: \`npm run setup\` installs it`);
  await assertPortFree(port);

  const dir = resolve(options.dataDir, 'registry');
  const storageRoot = join(dir, 'data');
  mkdirSync(storageRoot, { recursive: true });
  const configPath = join(dir, 'config.yml');
  const host = `127.0.0.1:${port}`;
  writeFileSync(configPath, registryConfig({ storageRoot, host, notifyUrl, token }));

  const service = startLocalProcess(COMMAND, ['serve', configPath]);
  try {
    await waitUntilReady(service, COMMAND, () => answers(`http://${host}/v2/`, (status) => status === 200), { timeoutMs: 15_000 });
  } catch (error) {
    // Taken between the check and the registry's own listen.
    if (/address already in use/.test(service.stderr())) throw portInUse(port);
    throw error;
  }
  return { host, url: `http://${host}`, storageRoot, stop: service.stop };
}

function registryConfig(values: { storageRoot: string; host: string; notifyUrl: string; token: string }): string {
  // JSON strings are valid YAML double-quoted scalars: no value can break out of its line.
  const q = (value: string): string => JSON.stringify(value);
  const lines = [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${q(values.storageRoot)}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: ${q(values.host)}`,
    'notifications:',
    '  endpoints:',
    '    - name: customs',
    `      url: ${q(values.notifyUrl)}`,
    '      headers:',
    `        Authorization: [${q(`Bearer ${values.token}`)}]`,
    '      timeout: 5s',
    '      threshold: 5',
    '      backoff: 1s',
    '      ignore:',
    '        mediatypes:',
    ...IGNORED_MEDIA_TYPES.map((type) => `          - ${q(type)}`),
    '        actions:',
    '          - pull',
  ];
  return `${lines.join('\n')}\n`;
}

function checkedPort(port: number): number {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw new Error(`registry port ${port} is not a TCP port (1-65535)`);
  return port;
}

function checkedNotifyUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`registry notification URL ${JSON.stringify(text)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`registry notification URL ${url.href} is neither http nor https`);
  return url.href;
}

function checkedToken(token: string): string {
  // Visible ASCII only: it becomes an HTTP header value.
  if (!/^[\x21-\x7e]+$/.test(token)) throw new Error('registry notification token must be non-empty printable ASCII without spaces');
  return token;
}


function assertPortFree(port: number): Promise<void> {
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? portInUse(port) : error));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolveFree()));
  });
}

function portInUse(port: number): Error {
  return new Error(`cannot start ${COMMAND}: port ${port} on 127.0.0.1 is already in use`);
}
