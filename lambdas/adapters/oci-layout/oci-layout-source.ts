import { z } from 'zod';
import { digestAlgorithm, digestHex } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { indexSchema, type Descriptor } from '../../core/image/manifest-schema.ts';
import { MediaType } from '../../core/image/media-types.ts';
import { parseJson } from '../../core/image/parse-json.ts';
import { readBounded } from '../../core/image/read-bounded.ts';
import type { ScanLimits } from '../../core/limits.ts';
import type { ByteStream, ImageSource, RootDocument } from '../../core/ports.ts';
import type { LayoutFiles } from './layout-files.ts';

const REF_NAME = 'org.opencontainers.image.ref.name';
const layoutMarkerSchema = z.object({ imageLayoutVersion: z.string() });

/**
 * An image in an OCI image layout (`oci:DIR[:tag]`, or inside `oci-archive:FILE[:tag]`). The tag
 * selects index.json entries by their ref.name annotation; without one, a single entry is taken, and
 * several entries are read as the index they form.
 */
export class OciLayoutSource implements ImageSource {
  readonly repository: string;

  constructor(
    private readonly files: LayoutFiles,
    readonly reference: string,
    readonly tag: string | undefined,
    private readonly limits: ScanLimits,
  ) {
    this.repository = files.location;
  }

  async root(): Promise<RootDocument> {
    await this.checkMarker();
    const what = `index.json of ${this.files.location}`;
    const { bytes } = await readBounded(await this.files.open('index.json'), { max: this.limits.maxManifestBytes, what });
    const index = parseJson(bytes, indexSchema, what);
    const entries = this.tag === undefined ? index.manifests : index.manifests.filter((entry) => entry.annotations?.[REF_NAME] === this.tag);
    if (entries.length === 0) {
      const tags = index.manifests.map((entry) => entry.annotations?.[REF_NAME]).filter(Boolean);
      const which = this.tag === undefined ? 'no images' : `no image tagged ${JSON.stringify(this.tag)}`;
      throw new CustomsError('not-found', `${this.files.location} has ${which}${tags.length ? ` (tags: ${tags.join(', ')})` : ''}`);
    }
    if (entries.length === 1) return { kind: 'descriptor', descriptor: entries[0]! };
    const content = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests: entries }));
    return { kind: 'document', content: single(content), mediaType: MediaType.ociIndex, synthesized: true };
  }

  open(descriptor: Descriptor): Promise<ByteStream> {
    return this.files.open(`blobs/${digestAlgorithm(descriptor.digest)}/${digestHex(descriptor.digest)}`);
  }

  close(): Promise<void> {
    return this.files.close();
  }

  private async checkMarker(): Promise<void> {
    const what = `oci-layout file of ${this.files.location}`;
    if (!(await this.files.exists('oci-layout'))) throw new CustomsError('not-found', `${this.files.location} is not an OCI image layout (no oci-layout file)`);
    const { bytes } = await readBounded(await this.files.open('oci-layout'), { max: 64 * 1024, what });
    const marker = parseJson(bytes, layoutMarkerSchema, what);
    if (!marker.imageLayoutVersion.startsWith('1.')) throw new CustomsError('unsupported', `${this.files.location} uses OCI layout version ${marker.imageLayoutVersion}`);
  }
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
