import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Copies an image between transports with skopeo; loopback registries are plain HTTP. */
export async function skopeoCopy(from: string, to: string, extra: string[] = []): Promise<void> {
  await run('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--dest-tls-verify=false', ...extra, from, to], {
    maxBuffer: 16 * 1024 * 1024,
  });
}
