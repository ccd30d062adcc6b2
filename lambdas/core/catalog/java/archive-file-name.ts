/**
 * Name and version from an archive's file name, the last resort when it carries no metadata:
 * `commons-io-2.11.0.jar` → `commons-io` 2.11.0. The version starts at the first `-` followed by a
 * digit, the way Maven names artifacts; names without one give no version.
 */
export function nameAndVersionOfFile(path: string): { name: string; version?: string } | undefined {
  const base = path.slice(path.lastIndexOf('/') + 1).replace(/\.[A-Za-z]+$/, '');
  if (!base) return undefined;
  const match = /^(.+?)-(\d[^-]*(?:-.*)?)$/.exec(base);
  return match ? { name: match[1]!, version: match[2]! } : { name: base };
}
