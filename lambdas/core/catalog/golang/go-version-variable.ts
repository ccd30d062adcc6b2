// A release version as people pass it to -X: semver, with or without the `v` Go module versions carry.
const VERSION = /^v?(\d+)\.(\d+)\.(\d+)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;
const NAMES = ['version', 'Version', 'VERSION'];
/** Longest -X version value considered. */
export const MAX_VERSION_VALUE = 64;

/**
 * Whether a string variable (`pkg/path.Name`) is where a release build sets the main module's version
 * with `-ldflags -X`: `main.version` and its spellings, or such a variable in a package of the main
 * module (`example.com/tool/internal/version.Version`). Other modules' variables say nothing of it.
 */
export function isVersionVariable(symbol: string, modulePath: string | undefined): boolean {
  const dot = symbol.lastIndexOf('.');
  const slash = symbol.lastIndexOf('/');
  if (dot <= slash + 1) return false;
  const pkg = symbol.slice(0, dot);
  if (!NAMES.includes(symbol.slice(dot + 1))) return false;
  return pkg === 'main' || (!!modulePath && (pkg === modulePath || pkg.startsWith(`${modulePath}/`)));
}

/** `1.2.3` / `v1.2.3-rc.1` → the Go module spelling (`v` prefix); anything else is no version. */
export function asModuleVersion(value: string): string | undefined {
  if (value.length > MAX_VERSION_VALUE || !VERSION.test(value)) return undefined;
  return value.startsWith('v') ? value : `v${value}`;
}

/** Of the version variables found (symbol → value), main's first, then the main module's own. */
export function pickVersionVariable(found: ReadonlyMap<string, string>, modulePath: string | undefined): string | undefined {
  const ranked = [...found].filter(([symbol, value]) => isVersionVariable(symbol, modulePath) && asModuleVersion(value));
  ranked.sort(([a], [b]) => Number(b.startsWith('main.')) - Number(a.startsWith('main.')) || a.localeCompare(b));
  return ranked.length > 0 ? asModuleVersion(ranked[0]![1]) : undefined;
}
