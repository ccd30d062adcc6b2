import { shortDigest } from '../digest.ts';
import { formatPlatform } from '../image/platform.ts';
import type { Distro, ImageSbom, Package, ScanResult } from '../sbom/model.ts';
import { ownerLabel } from './owner-label.ts';
import { sortPackages } from './package-order.ts';

export interface TableOptions {
  /** Emit ANSI styling; the caller decides (TTY, NO_COLOR), this module never looks at the terminal. */
  readonly color?: boolean;
}

const HEADINGS = ['NAME', 'VERSION', 'ARCH', 'SOURCE', 'LAYER'] as const;
const GAP = '  ';

interface Style {
  bold(text: string): string;
  warn(text: string): string;
}

const PLAIN: Style = { bold: (text) => text, warn: (text) => text };
// Reset only the attribute that was set, so nested styling is not cut short.
const ANSI: Style = { bold: (text) => `\x1b[1m${text}\x1b[22m`, warn: (text) => `\x1b[33m${text}\x1b[39m` };

/** A human-readable inventory, one block per platform image, blocks separated by a blank line. */
export function renderTable(result: ScanResult, options: TableOptions = {}): string {
  const style = options.color ? ANSI : PLAIN;
  if (result.images.length === 0) return `${clean(result.reference)}: no images\n`;
  return result.images.map((image) => renderImage(image, style)).join('\n');
}

function renderImage(image: ImageSbom, style: Style): string {
  const lines = [...renderHeader(image, style), ''];
  if (image.packages.length === 0) lines.push('no packages found');
  else lines.push(...renderPackages(image.packages, style));
  if (image.warnings.length > 0) lines.push('', ...image.warnings.map((warning) => style.warn(`warning: ${clean(warning)}`)));
  return `${lines.join('\n')}\n`;
}

function renderHeader(image: ImageSbom, style: Style): string[] {
  const fields: [string, string][] = [
    ['Image', image.reference],
    ['Platform', formatPlatform(image.platform)],
    image.manifestDigest ? ['Manifest', image.manifestDigest] : ['Config', image.configDigest],
    ['OS', describeDistro(image.distro)],
    ['Layers', String(image.layers.length)],
    ['Packages', String(image.packages.length)],
  ];
  const width = Math.max(...fields.map(([label]) => label.length)) + 1;
  return fields.map(([label, value]) => `${style.bold(`${label}:`.padEnd(width))} ${clean(value)}`);
}

function describeDistro(distro: Distro | undefined): string {
  if (!distro) return 'unknown OS';
  return distro.prettyName || [distro.id, distro.versionId].filter(Boolean).join(' ');
}

function renderPackages(packages: readonly Package[], style: Style): string[] {
  const sorted = sortPackages(packages);
  // Right-align layer numbers so the short digests after them line up.
  const indexWidth = Math.max(...sorted.map((pkg) => String(pkg.location.layerIndex + 1).length));
  const rows = sorted.map((pkg) =>
    [
      pkg.name,
      pkg.version,
      pkg.architecture || '-',
      describeSource(pkg),
      `${String(pkg.location.layerIndex + 1).padStart(indexWidth)} ${shortDigest(pkg.location.layerDigest)}`,
    ].map(clean),
  );
  const widths = HEADINGS.map((heading, column) => Math.max(heading.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: readonly string[]): string =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column]!))).join(GAP);
  // A note after the last column rather than a column of its own: few packages have an owner.
  const notes = sorted.map((pkg) => (pkg.owner ? clean(`installed by ${ownerLabel(pkg.owner)}`) : undefined));
  return [style.bold(format(HEADINGS)), ...rows.map((row, index) => (notes[index] ? format([...row, notes[index]]) : format(row)))];
}

function describeSource(pkg: Package): string {
  if (!pkg.source) return '-';
  return pkg.source.version && pkg.source.version !== pkg.version ? `${pkg.source.name} ${pkg.source.version}` : pkg.source.name;
}

/**
 * Values come from the scanned image, which is untrusted: control characters (an ESC starting a
 * terminal sequence, a newline breaking the layout) and bidi overrides (text that reads differently
 * from what it is) are shown escaped instead of reaching the TTY.
 */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, escapeChar);
}

function escapeChar(char: string): string {
  const code = char.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
