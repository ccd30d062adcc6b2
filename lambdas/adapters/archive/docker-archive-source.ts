import { z } from 'zod';
import { isDigest, sha256Of, type Digest } from '../../core/digest.ts';
import { CustomsError } from '../../core/errors.ts';
import { sniffCompression } from '../../core/image/decompress.ts';
import { configSchema, type Descriptor } from '../../core/image/manifest-schema.ts';
import { MediaType } from '../../core/image/media-types.ts';
import { parseJson } from '../../core/image/parse-json.ts';
import { readBounded } from '../../core/image/read-bounded.ts';
import type { ScanLimits } from '../../core/limits.ts';
import type { ByteStream, ImageSource, RootDocument } from '../../core/ports.ts';
import type { TarArchive } from './tar-archive.ts';

const archiveManifestSchema = z
  .array(
    z.object({
      Config: z.string().min(1),
      RepoTags: z.array(z.string()).nullish(),
      Layers: z.array(z.string().min(1)),
    }),
  )
  .min(1);
type ArchiveImage = z.infer<typeof archiveManifestSchema>[number];

/**
 * An image saved by `docker save` or `skopeo copy … docker-archive:`. These archives carry no image
 * manifest, only `manifest.json` naming the config and layer files, so an OCI manifest is synthesized
 * from them; every byte is still verified (config by its digest, layers by the config's diffIDs).
 */
export class DockerArchiveSource implements ImageSource {
  readonly repository: string;
  readonly tag?: string;
  private readonly paths = new Map<Digest, string>();

  private constructor(
    private readonly archive: TarArchive,
    readonly reference: string,
    private readonly image: ArchiveImage,
    private readonly limits: ScanLimits,
  ) {
    const named = image.RepoTags?.[0];
    const colon = named ? named.lastIndexOf(':') : -1;
    this.repository = named && colon > named.lastIndexOf('/') ? named.slice(0, colon) : (named ?? archive.location);
    if (named && colon > named.lastIndexOf('/')) this.tag = named.slice(colon + 1);
  }

  static async create(archive: TarArchive, reference: string, selector: string | undefined, limits: ScanLimits): Promise<DockerArchiveSource> {
    const what = `manifest.json of ${archive.location}`;
    if (!(await archive.exists('manifest.json'))) throw new CustomsError('malformed', `${archive.location} is not a docker archive (no manifest.json)`);
    const { bytes } = await readBounded(await archive.open('manifest.json'), { max: limits.maxManifestBytes, what });
    const images = parseJson(bytes, archiveManifestSchema, what);
    return new DockerArchiveSource(archive, reference, selectImage(images, selector, archive.location), limits);
  }

  async root(): Promise<RootDocument> {
    const configPath = this.image.Config;
    const { bytes: configBytes } = await readBounded(await this.archive.open(configPath), { max: this.limits.maxConfigBytes, what: `config ${configPath}` });
    const configDigest = sha256Of(configBytes);
    const claimed = digestFromPath(configPath);
    if (claimed && claimed !== configDigest) throw new CustomsError('digest-mismatch', `config ${configPath} hashes to ${configDigest}, not the digest its name gives`);
    const config = parseJson(configBytes, configSchema, `config ${configPath}`);
    this.paths.set(configDigest, configPath);
    if (config.rootfs.diff_ids.length !== this.image.Layers.length) {
      throw new CustomsError('malformed', `${this.archive.location} lists ${this.image.Layers.length} layers, but its config lists ${config.rootfs.diff_ids.length} diffIDs`);
    }
    const layers: Descriptor[] = [];
    for (const [index, layerPath] of this.image.Layers.entries()) {
      const size = await this.archive.size(layerPath);
      if (size === undefined) throw new CustomsError('not-found', `layer ${layerPath} is missing from ${this.archive.location}`);
      // Uncompressed layer files are named by, and hash to, their diffID.
      const digest = digestFromPath(layerPath) ?? config.rootfs.diff_ids[index]!;
      this.paths.set(digest, layerPath);
      const compression = sniffCompression(await this.archive.head(layerPath, 4));
      const mediaType = compression === 'gzip' ? MediaType.ociLayerGzip : compression === 'zstd' ? MediaType.ociLayerZstd : MediaType.ociLayer;
      layers.push({ mediaType, digest, size });
    }
    const manifest = {
      schemaVersion: 2,
      mediaType: MediaType.ociManifest,
      config: { mediaType: MediaType.dockerConfig, digest: configDigest, size: configBytes.length },
      layers,
    };
    return { kind: 'document', content: single(Buffer.from(JSON.stringify(manifest))), mediaType: MediaType.ociManifest, synthesized: true };
  }

  async open(descriptor: Descriptor): Promise<ByteStream> {
    const path = this.paths.get(descriptor.digest);
    if (!path) throw new CustomsError('not-found', `${descriptor.digest} is not part of ${this.archive.location}`);
    return this.archive.open(path);
  }

  close(): Promise<void> {
    return this.archive.close();
  }
}

function selectImage(images: ArchiveImage[], selector: string | undefined, location: string): ArchiveImage {
  const listing = images.map((image, index) => `@${index}${image.RepoTags?.length ? ` (${image.RepoTags.join(', ')})` : ''}`).join(', ');
  if (selector === undefined) {
    if (images.length === 1) return images[0]!;
    throw new CustomsError('usage', `${location} holds ${images.length} images; pick one with docker-archive:${location}:NAME:TAG or :@N (${listing})`);
  }
  const position = /^@(\d+)$/.exec(selector);
  if (position) {
    const image = images[Number(position[1])];
    if (!image) throw new CustomsError('not-found', `${location} has no image ${selector} (${listing})`);
    return image;
  }
  const wanted = normalizeName(selector);
  const image = images.find((candidate) => candidate.RepoTags?.some((tag) => normalizeName(tag) === wanted));
  if (!image) throw new CustomsError('not-found', `${location} has no image named ${selector} (${listing})`);
  return image;
}

/** `debian:12`, `library/debian:12` and `docker.io/library/debian:12` name the same image. */
function normalizeName(name: string): string {
  let normalized = name.replace(/^docker\.io\//, '');
  if (!normalized.slice(0, normalized.lastIndexOf(':') < 0 ? undefined : normalized.lastIndexOf(':')).includes('/')) normalized = `library/${normalized}`;
  normalized = normalized.replace(/^library\/library\//, 'library/');
  return /:[^/]+$/.test(normalized) ? normalized : `${normalized}:latest`;
}

/** `blobs/sha256/<hex>`, `<hex>.json`, `<hex>.tar`: archive members named by their digest. */
function digestFromPath(path: string): Digest | undefined {
  const blob = /(?:^|\/)blobs\/(sha256|sha512)\/([0-9a-f]+)$/.exec(path);
  if (blob) {
    const digest = `${blob[1]}:${blob[2]}`;
    return isDigest(digest) ? digest : undefined;
  }
  const named = /^([0-9a-f]{64})\.(?:json|tar)$/.exec(path);
  if (named) return `sha256:${named[1]}` as Digest;
  return undefined;
}

async function* single(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
