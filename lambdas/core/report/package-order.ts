import type { Package } from '../sbom/model.ts';

/**
 * The one package order every report uses: name, then architecture, then version, then id. Plain
 * code-unit comparison rather than locale collation, so output is byte-identical on every host.
 * Version is only a tie-breaker here, not dpkg version ordering.
 */
export function comparePackages(a: Package, b: Package): number {
  return (
    compareText(a.name, b.name) ||
    compareText(a.architecture ?? '', b.architecture ?? '') ||
    compareText(a.version, b.version) ||
    compareText(a.id, b.id)
  );
}

export function sortPackages(packages: readonly Package[]): Package[] {
  return [...packages].sort(comparePackages);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
