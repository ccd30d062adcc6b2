import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchImage } from './build-bench-image.ts';
import type { BenchPackage } from './bench-advisories.ts';
import { timeCommand } from './measure.ts';

const PRELOAD = fileURLToPath(new URL('./report-max-rss.mjs', import.meta.url));

export interface ScanTiming {
  readonly seconds: number;
  readonly maxRssKiB: number;
}

export interface ScanOptions {
  /** Where the JSON report goes. */
  readonly output?: string;
  /** Run `customs scan --advisories DIR…` (inventory plus matching) instead of `customs sbom`. */
  readonly advisories?: readonly string[];
}

/** One `customs sbom` (or `customs scan`) of the image in a fresh node process: wall time and peak RSS. */
export async function timeScan(bundle: string, image: BenchImage, scratch: string, options: ScanOptions = {}): Promise<ScanTiming> {
  const rssFile = join(scratch, 'max-rss');
  await rm(rssFile, { force: true });
  const command = options.advisories ? ['scan', `oci:${image.dir}`, ...options.advisories.flatMap((dir) => ['--advisories', dir])] : ['sbom', `oci:${image.dir}`];
  const args = ['--import', PRELOAD, bundle, ...command, '--format', 'json', '--quiet', '--output', options.output ?? '/dev/null'];
  const { seconds } = await timeCommand(process.execPath, args, { ...process.env, CUSTOMS_BENCH_RSS_FILE: rssFile });
  const maxRssKiB = Number(await readFile(rssFile, 'utf8'));
  if (!Number.isFinite(maxRssKiB) || maxRssKiB <= 0) throw new Error(`no peak RSS reported for the scan of ${image.spec.name}`);
  return { seconds, maxRssKiB };
}

export interface SbomDocument {
  images?: Array<{ distro?: { id?: string; versionId?: string }; packages?: BenchPackage[]; layers?: unknown[] }>;
}

/** Scans once into a file and fails unless the report lists what the image's spec expects; returns the report. */
export async function verifyScan(bundle: string, image: BenchImage, scratch: string): Promise<SbomDocument> {
  const output = join(scratch, `${image.spec.name}.sbom.json`);
  await timeScan(bundle, image, scratch, { output });
  const document = JSON.parse(await readFile(output, 'utf8')) as SbomDocument;
  await rm(output, { force: true });
  const report = document.images?.[0];
  const { expect } = image.spec;
  const found = new Map<string, number>();
  for (const pkg of report?.packages ?? []) found.set(String(pkg.type), (found.get(String(pkg.type)) ?? 0) + 1);
  const types = new Set([...Object.keys(expect.packages), ...found.keys()]);
  const problems = [
    ...[...types].map((type) => {
      const want = expect.packages[type] ?? 0;
      const got = found.get(type) ?? 0;
      return got === want ? '' : `${got} ${type} packages, expected ${want}`;
    }),
    report?.distro?.id === expect.distro.id && report.distro.versionId === expect.distro.versionId
      ? ''
      : `distro ${JSON.stringify(report?.distro)}, expected ${expect.distro.id} ${expect.distro.versionId}`,
    report?.layers?.length === image.layers.length ? '' : `${report?.layers?.length} layers, expected ${image.layers.length}`,
  ].filter(Boolean);
  if (problems.length > 0) throw new Error(`the scan of ${image.spec.name} is wrong: ${problems.join('; ')}`);
  return document;
}

/** Scans once with matching and returns how many findings the report holds (all images). */
export async function countFindings(bundle: string, image: BenchImage, scratch: string, advisories: readonly string[]): Promise<number> {
  const output = join(scratch, `${image.spec.name}.scan.json`);
  await timeScan(bundle, image, scratch, { output, advisories });
  const document = JSON.parse(await readFile(output, 'utf8')) as { images?: Array<{ findings?: unknown[] }> };
  await rm(output, { force: true });
  return (document.images ?? []).reduce((total, report) => total + (report.findings?.length ?? 0), 0);
}
