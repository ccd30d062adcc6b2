import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayoutWriter, type Compression } from '../../tools/image-builder/oci-layout-writer.ts';
import { tarBytes, type TarInput } from '../../tools/image-builder/tar-writer.ts';

/** Writes a single-platform OCI layout (tag `latest`) whose layers hold the given entries. */
export function layoutOf(layers: Array<{ entries: TarInput[]; compression?: Compression }>, platform = { os: 'linux', architecture: 'amd64' }): string {
  const dir = mkdtempSync(join(tmpdir(), 'customs-image-'));
  const writer = new OciLayoutWriter(dir);
  const manifest = writer.image({ platform, layers: layers.map(({ entries, compression }) => ({ tar: tarBytes(entries), ...(compression ? { compression } : {}) })) });
  writer.finish([{ descriptor: manifest, tag: 'latest' }]);
  return dir;
}
