import { execFile } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildCleanDemoImage, buildDemoImage } from '../demo/demo-image.ts';

const run = promisify(execFile);

/** Where the first run pushes the demo images. */
export const DEMO_IMAGES = { vulnerable: 'demo/app:1.0', clean: 'demo/app:1.1' } as const;

/**
 * Builds the demo images (a Debian 12 base with an npm application; 1.0 has a vulnerable glibc,
 * lodash and minimist, 1.1 their fixed versions) as OCI layouts and pushes them with skopeo, as a
 * user pushes their own, so the registry's notifications start the pipeline.
 */
export async function pushDemoImages(registryHost: string, scratchDir: string): Promise<void> {
  const dir = join(scratchDir, 'demo-images');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  try {
    const clean = await buildCleanDemoImage(join(dir, 'clean'));
    const vulnerable = await buildDemoImage(join(dir, 'vulnerable'));
    await skopeoCopy(`oci:${clean.layoutDir}:${clean.tag}`, `docker://${registryHost}/${DEMO_IMAGES.clean}`);
    await skopeoCopy(`oci:${vulnerable.layoutDir}:${vulnerable.tag}`, `docker://${registryHost}/${DEMO_IMAGES.vulnerable}`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function skopeoCopy(from: string, to: string): Promise<void> {
  try {
    await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', from, to], { maxBuffer: 4 * 1024 * 1024 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('skopeo is not on PATH: `npm run setup` installs it (or start with --no-demo)', { cause: error });
    const stderr = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`skopeo copy to ${to} failed${stderr ? `: ${stderr.split('\n').at(-1)}` : ''}`, { cause: error });
  }
}

/** What the console prints once the stack is up: how to push an image and ask the API. */
export function nextSteps(registryHost: string, dataDir: string, dataDirIsDefault: boolean): string[] {
  // customs api finds the stack's address and token in the data directory: the default one by itself.
  const where = dataDirIsDefault ? '' : ` --data-dir ${dataDir}`;
  return [
    'push an image:   skopeo copy --dest-tls-verify=false docker://docker.io/library/debian:12 docker://' + registryHost + '/mine/debian:12',
    `ask the API:     npx customs api images --repository demo/app${where}`,
    `                 npx customs api quarantine --repository demo/app${where}`,
    `policy:          ${join(dataDir, 'policy.yaml')} (re-read when it changes)`,
  ];
}
