import type { BenchImage } from './build-bench-image.ts';
import { FLATNESS_PAIR } from './bench-images.ts';
import { median } from './measure.ts';

export interface ImageResult {
  readonly image: BenchImage;
  readonly baseline: number[];
  /** Node's own hash + gunzip + hash of the layers: informative, no target. */
  readonly floor: number[];
  readonly scan: number[];
  readonly rssKiB: number[];
  /** `customs scan` against the OSV corpus: inventory plus advisory load and matching. */
  readonly matched: number[];
  readonly matchedRssKiB: number[];
  /** Advisory directories that scan reads: the corpus and the image's own synthetic records. */
  readonly advisories: string[];
  /** Synthetic records written for the image's packages (see bench-advisories.ts). */
  synthetic?: number;
  /** Findings that scan reported (undefined when the corpus is missing). */
  findings?: number;
}

/** Targets from the issue; "flat" is read as the 1 GiB peak within 25% of the 100 MiB one. */
const TARGETS = { ratio: 1.2, rssMiB: 256, flatness: 1.25 };
const MiB = 1024 * 1024;

export function printReport(results: readonly ImageResult[], write: (line: string) => void): void {
  const header = ['image', 'uncompr MiB', 'compr MiB', 'files', 'entries', 'baseline s', 'scan s', 'scan/base', 'zlib floor s', 'scan/floor', 'peak RSS MiB', 'packages', 'pkgs/s'];
  const rows = results.map((result) => [
    result.image.spec.name,
    (result.image.uncompressedBytes / MiB).toFixed(0),
    (result.image.compressedBytes / MiB).toFixed(0),
    String(result.image.files),
    String(result.image.entries),
    median(result.baseline).toFixed(2),
    median(result.scan).toFixed(2),
    ratioOf(result).toFixed(2),
    median(result.floor).toFixed(2),
    (median(result.scan) / median(result.floor)).toFixed(2),
    (median(result.rssKiB) / 1024).toFixed(0),
    String(packagesOf(result)),
    (packagesOf(result) / median(result.scan)).toFixed(0),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  write(line(header));
  for (const row of rows) write(line(row));
  write('');
  write(`medians of ${results[0]?.scan.length ?? 0} runs; spread (min–max):`);
  for (const result of results) {
    write(`  ${result.image.spec.name}: baseline ${spread(result.baseline, 2)} s, zlib floor ${spread(result.floor, 2)} s, scan ${spread(result.scan, 2)} s (${spread(result.scan.map((seconds) => packagesOf(result) / seconds), 0)} packages/s), RSS ${spread(result.rssKiB.map((kib) => kib / 1024), 0)} MiB`);
  }
  write('');
  for (const result of results) {
    write(`${verdict(ratioOf(result) <= TARGETS.ratio)} scan/baseline ≤ ${TARGETS.ratio} on ${result.image.spec.name} (${ratioOf(result).toFixed(2)})`);
  }
  for (const result of results) {
    const peak = Math.max(...result.rssKiB) / 1024;
    write(`${verdict(peak <= TARGETS.rssMiB)} peak RSS ≤ ${TARGETS.rssMiB} MiB on ${result.image.spec.name} (worst run ${peak.toFixed(0)} MiB)`);
  }
  const small = results.find((result) => result.image.spec.name === FLATNESS_PAIR.small);
  const large = results.find((result) => result.image.spec.name === FLATNESS_PAIR.large);
  if (small && large) {
    const flatness = median(large.rssKiB) / median(small.rssKiB);
    write(`${verdict(flatness <= TARGETS.flatness)} RSS flat: ${FLATNESS_PAIR.large} ÷ ${FLATNESS_PAIR.small} = ${flatness.toFixed(2)} (≤ ${TARGETS.flatness})`);
  }
}

/** Every package the scan must report (all types): packages per second is this ÷ the median scan. */
function packagesOf(result: ImageResult): number {
  return Object.values(result.image.spec.expect.packages).reduce((total, count) => total + count, 0);
}

function ratioOf(result: ImageResult): number {
  return median(result.scan) / median(result.baseline);
}

function spread(values: readonly number[], digits: number): string {
  return `${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)}`;
}

function verdict(pass: boolean): string {
  return pass ? 'PASS' : 'MISS';
}

/** The matching table: the same images scanned against the OSV corpus, next to the SBOM-only time. */
export function printMatchingReport(results: readonly ImageResult[], corpus: string, write: (line: string) => void): void {
  const measured = results.filter((result) => result.matched.length > 0);
  if (measured.length === 0) return;
  write('');
  write(`with matching (customs scan --advisories ${corpus} plus the image's own synthetic records; loading them is part of each run):`);
  const header = ['image', 'sbom s', 'scan s', 'scan - sbom s', 'scan/sbom', 'peak RSS MiB', 'own records', 'findings'];
  const rows = measured.map((result) => [
    result.image.spec.name,
    median(result.scan).toFixed(2),
    median(result.matched).toFixed(2),
    (median(result.matched) - median(result.scan)).toFixed(2),
    (median(result.matched) / median(result.scan)).toFixed(2),
    (median(result.matchedRssKiB) / 1024).toFixed(0),
    String(result.synthetic ?? '?'),
    String(result.findings ?? '?'),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('  ');
  write(line(header));
  for (const row of rows) write(line(row));
  for (const result of measured) write(`  ${result.image.spec.name}: scan ${spread(result.matched, 2)} s, RSS ${spread(result.matchedRssKiB.map((kib) => kib / 1024), 0)} MiB`);
}
