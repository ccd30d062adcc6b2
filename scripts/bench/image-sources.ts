import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { sharedFixtures } from '../../test/support/paths.ts';
import type { TarInput } from '../../tools/image-builder/tar-writer.ts';
import { dpkgLayerEntries, npmLayerEntries, npmPlanOf, rpmLayerEntries, type ImageSpec, type RpmImageSpec } from './bench-entries.ts';

/** A spec ready to build: its layers' entries, and the digests of the fixture files they embed. */
export interface ImageSource {
  readonly spec: ImageSpec;
  /** sha256 of each embedded fixture file, by its path under the shared fixtures: a cache built from other bytes is rebuilt. */
  readonly inputs: Readonly<Record<string, string>>;
  layerEntries(layer: number): Iterable<TarInput>;
}

export type ResolvedImage = { readonly source: ImageSource } | { readonly skipped: string };

/** Reads what the spec needs from outside the generator; an image whose fixtures are missing is skipped. */
export async function resolveImage(spec: ImageSpec): Promise<ResolvedImage> {
  switch (spec.kind) {
    case 'dpkg':
      return { source: { spec, inputs: {}, layerEntries: (layer) => dpkgLayerEntries(spec, layer) } };
    case 'rpm':
      return resolveRpmImage(spec);
    case 'npm': {
      const plan = npmPlanOf(spec);
      return { source: { spec, inputs: {}, layerEntries: (layer) => npmLayerEntries(spec, plan, layer) } };
    }
  }
}

async function resolveRpmImage(spec: RpmImageSpec): Promise<ResolvedImage> {
  const read = async (path: string): Promise<Buffer | string> => {
    let full: string;
    try {
      full = sharedFixtures(path);
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
    return readFile(full).catch((error: unknown) => `cannot read shared fixture ${full} (${error instanceof Error ? error.message : String(error)}); set CUSTOMS_SHARED_FIXTURES`);
  };
  const [osRelease, rpmdb] = await Promise.all([read(spec.fixtures.osRelease), read(spec.fixtures.rpmdb)]);
  if (typeof osRelease === 'string') return { skipped: osRelease };
  if (typeof rpmdb === 'string') return { skipped: rpmdb };
  const files = { osRelease, rpmdb };
  const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
  return {
    source: {
      spec,
      inputs: { [spec.fixtures.osRelease]: sha256(osRelease), [spec.fixtures.rpmdb]: sha256(rpmdb) },
      layerEntries: (layer) => rpmLayerEntries(spec, layer, files),
    },
  };
}
