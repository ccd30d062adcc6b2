import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OciLayoutWriter } from '../../tools/image-builder/oci-layout-writer.ts';
import type { ImageSpec } from './bench-entries.ts';
import type { ImageSource } from './image-sources.ts';
import { finishLayout, writeLayerBlob, type LayerStats } from './stream-oci-layout.ts';

export interface BenchImage {
  readonly spec: ImageSpec;
  /** The OCI layout directory (scan it as `oci:DIR`). */
  readonly dir: string;
  readonly layers: readonly LayerStats[];
  readonly uncompressedBytes: number;
  readonly compressedBytes: number;
  readonly entries: number;
  readonly files: number;
}

/** Written last, so its presence means the layout is complete and can be reused. */
const MANIFEST_FILE = 'bench-image.json';

/** Returns the cached layout of the source, building it (slowly: gzip -6 of every byte) when absent. */
export async function ensureBenchImage(cacheDir: string, source: ImageSource, log: (line: string) => void): Promise<BenchImage> {
  const { spec, inputs } = source;
  const dir = join(cacheDir, spec.name);
  const cached = await loadCached(dir, source);
  if (cached) {
    log(`  ${spec.name}: cached in ${dir}`);
    return cached;
  }
  await rm(dir, { recursive: true, force: true });
  const started = performance.now();
  const writer = new OciLayoutWriter(dir);
  const layers: LayerStats[] = [];
  for (let index = 0; index < spec.layers; index++) layers.push(await writeLayerBlob(dir, source.layerEntries(index)));
  finishLayout(writer, layers, 'bench');
  const image = summarize(spec, dir, layers);
  await writeFile(join(dir, MANIFEST_FILE), JSON.stringify({ spec, inputs, layers }, null, 2));
  log(`  ${spec.name}: built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return image;
}

export function layerBlobPath(image: BenchImage, layer: LayerStats): string {
  return join(image.dir, 'blobs', 'sha256', layer.descriptor.digest.slice('sha256:'.length));
}

async function loadCached(dir: string, { spec, inputs }: ImageSource): Promise<BenchImage | undefined> {
  const text = await readFile(join(dir, MANIFEST_FILE), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const saved = JSON.parse(text) as { spec: ImageSpec; inputs?: Record<string, string>; layers: LayerStats[] };
  if (JSON.stringify(saved.spec) !== JSON.stringify(spec) || JSON.stringify(saved.inputs ?? {}) !== JSON.stringify(inputs)) return undefined;
  const image = summarize(spec, dir, saved.layers);
  for (const layer of image.layers) {
    const info = await stat(layerBlobPath(image, layer)).catch(() => undefined);
    if (info?.size !== layer.descriptor.size) return undefined;
  }
  return image;
}

function summarize(spec: ImageSpec, dir: string, layers: readonly LayerStats[]): BenchImage {
  const sum = (pick: (layer: LayerStats) => number): number => layers.reduce((total, layer) => total + pick(layer), 0);
  return {
    spec,
    dir,
    layers,
    uncompressedBytes: sum((layer) => layer.uncompressedBytes),
    compressedBytes: sum((layer) => layer.descriptor.size),
    entries: sum((layer) => layer.entries),
    files: sum((layer) => layer.files),
  };
}
