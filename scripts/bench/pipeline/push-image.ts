import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { skopeoCopy } from '../../../test/support/skopeo.ts';
import type { BenchImage } from '../build-bench-image.ts';
import type { EcrLikeRegistry } from '../../../test/support/ecr-like-registry.ts';

export interface PushedBenchImage {
  readonly image: BenchImage;
  readonly repository: string;
  readonly tag: string;
  /** The manifest digest the registry stored (skopeo keeps the layout's). */
  readonly digest: string;
}

/** Pushes a bench layout (tagged `bench`) to the registry behind the ECR stand-in. */
export async function pushBenchImage(registry: EcrLikeRegistry, image: BenchImage): Promise<PushedBenchImage> {
  const repository = `bench/${image.spec.name.toLowerCase()}`;
  const tag = 'v1';
  const scratch = mkdtempSync(join(tmpdir(), 'customs-bench-push-'));
  try {
    const digestFile = join(scratch, 'digest');
    await skopeoCopy(`oci:${image.dir}:bench`, `docker://${registry.registryHost}/${repository}:${tag}`, ['--preserve-digests', '--dest-creds', `${registry.username}:${registry.password}`, '--digestfile', digestFile]);
    return { image, repository, tag, digest: readFileSync(digestFile, 'utf8').trim() };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
