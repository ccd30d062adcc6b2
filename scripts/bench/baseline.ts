import { layerBlobPath, type BenchImage } from './build-bench-image.ts';
import { timeCommand } from './measure.ts';

/**
 * The unavoidable work, as the issue defines it: hash the blob, gunzip, hash the tar, walk the tar
 * headers. The sha256sums write to fd 3 (the parent's pipe), so timeCommand waits for them too.
 */
const PIPELINE = 'set -o pipefail; exec 3>&1; tee >(sha256sum >&3) < "$1" | gzip -dc | tee >(sha256sum >&3) | tar -t >/dev/null';

/** Seconds for the baseline over every layer of the image, one after another. */
export async function timeBaseline(image: BenchImage): Promise<number> {
  let total = 0;
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C' };
  delete env.TAPE; // tar -t must read stdin, its built-in default
  for (const layer of image.layers) {
    const { seconds, stdout } = await timeCommand('bash', ['-c', PIPELINE, 'baseline', layerBlobPath(image, layer)], env);
    // Proof the pipeline read everything: both digests must come out right.
    const digests = new Set(stdout.split('\n').filter(Boolean).map((line) => `sha256:${line.split(/\s+/)[0]}`));
    if (!digests.has(layer.descriptor.digest) || !digests.has(layer.diffId)) {
      throw new Error(`baseline over ${layer.descriptor.digest} printed unexpected digests:\n${stdout}`);
    }
    total += seconds;
  }
  return total;
}
