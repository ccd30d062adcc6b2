import { fileURLToPath } from 'node:url';
import { layerBlobPath, type BenchImage } from './build-bench-image.ts';
import { timeCommand } from './measure.ts';

const SCRIPT = fileURLToPath(new URL('./zlib-floor.mjs', import.meta.url));

/**
 * Seconds for a fresh node process to hash, gunzip (Node's zlib) and hash every layer, with no tar
 * walk. Not a target: it shows how much of the scan is work Node cannot avoid, which the coreutils
 * baseline overstates here (GNU gzip inflates at half zlib's speed; sha256sum hashes at a sixth of
 * OpenSSL's speed on this CPU).
 */
export async function timeZlibFloor(image: BenchImage): Promise<number> {
  const { seconds, stdout } = await timeCommand(process.execPath, [SCRIPT, ...image.layers.map((layer) => layerBlobPath(image, layer))]);
  const expected = image.layers.map((layer) => `${layer.descriptor.digest.slice(7)} ${layer.diffId.slice(7)}`).join('\n');
  if (stdout.trim() !== expected) throw new Error(`the zlib floor over ${image.spec.name} printed unexpected digests:\n${stdout}`);
  return seconds;
}
