import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { digestAlgorithm, digestHex, isDigest, sha256Of, type Digest } from '../../core/digest.ts';
import { CustomsError, messageOf } from '../../core/errors.ts';
import type { SbomRef } from '../../core/pipeline/model.ts';
import { imageSbomSchema } from '../../core/pipeline/sbom-schema.ts';
import type { SbomStore } from '../../core/ports.ts';
import type { ImageSbom } from '../../core/sbom/model.ts';
import { readFileCapped, writeFileAtomic } from './atomic-file.ts';
import { pathUnderRoot } from './path-under-root.ts';

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

export interface FileSbomStoreOptions {
  /** Directory the store owns; SBOMs live under `sboms/` in it. */
  readonly root: string;
  /** Largest uncompressed document read back (and largest stored file read). */
  readonly maxBytes?: number;
}

/** Refs this store hands out, `sboms/<alg>/<manifest hex>/<document sha256 hex>.json.gz`; any other location is refused. */
const LOCATION = /^sboms\/(sha256|sha512)\/([0-9a-f]+)\/([0-9a-f]{64})\.json\.gz$/;

/**
 * SBOMs as gzip JSON files, laid out as the S3 store keys them (manifest digest plus the document's
 * hash), so each file is immutable: a retry rewrites the same bytes atomically. Reads are as
 * untrusted as S3's: the location is checked to be one this store makes, the file capped,
 * decompressed within the cap, hashed against the reference and validated.
 */
export class FileSbomStore implements SbomStore {
  private readonly maxBytes: number;

  constructor(private readonly options: FileSbomStoreOptions) {
    this.maxBytes = options.maxBytes ?? 512 * 1024 * 1024;
  }

  async put(digest: Digest, sbom: ImageSbom): Promise<SbomRef> {
    if (!isDigest(digest)) throw new CustomsError('usage', `SBOM digest ${JSON.stringify(digest)} is not a valid sha256 or sha512 digest`);
    const json = Buffer.from(JSON.stringify(sbom), 'utf8');
    const sha256 = sha256Of(json);
    const body = await gzipAsync(json, { level: 6 });
    const location = `sboms/${digestAlgorithm(digest)}/${digestHex(digest)}/${digestHex(sha256)}.json.gz`;
    await writeFileAtomic(this.pathOf(location), body);
    return { location, sha256, bytes: json.length, storedBytes: body.length };
  }

  async get(ref: SbomRef): Promise<ImageSbom> {
    const what = `SBOM ${ref.location}`;
    if (ref.bytes > this.maxBytes) throw new CustomsError('limit', `${what} is ${ref.bytes} bytes, over the ${this.maxBytes} cap`);
    const compressed = await readFileCapped(this.pathOf(ref.location), this.maxBytes, what);
    if (!compressed) throw new CustomsError('not-found', `${what} does not exist`);
    let json: Buffer;
    try {
      json = await gunzipAsync(compressed, { maxOutputLength: this.maxBytes });
    } catch (error) {
      throw new CustomsError('malformed', `${what} does not decompress: ${messageOf(error)}`, { cause: error });
    }
    const actual = sha256Of(json);
    if (actual !== ref.sha256) throw new CustomsError('digest-mismatch', `${what} hashes to ${actual}, but its scan result recorded ${ref.sha256}`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(json.toString('utf8'));
    } catch (error) {
      throw new CustomsError('malformed', `${what} is not JSON`, { cause: error });
    }
    const result = imageSbomSchema.safeParse(parsed);
    if (!result.success) throw new CustomsError('malformed', `${what} is not a Customs SBOM: ${result.error.issues[0]?.message ?? 'invalid'} at ${result.error.issues[0]?.path.join('.') ?? ''}`);
    return result.data;
  }

  /** A location's file; a ref naming anything but a location this store makes is refused before any path is built. */
  private pathOf(location: string): string {
    const match = LOCATION.exec(location);
    if (!match || !isDigest(`${match[1]}:${match[2]}`)) throw new CustomsError('unsafe', `SBOM location ${JSON.stringify(location)} is not one this store writes`);
    return pathUnderRoot(this.options.root, location.split('/'), `SBOM ${location}`);
  }
}
