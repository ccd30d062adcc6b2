/**
 * Which metadata file of an install directory entry describes a distribution. `importlib.metadata`
 * lowercases each entry's name before testing for `.dist-info` / `.egg-info`, so `Foo.DIST-INFO`
 * counts, while the file inside is opened by its exact name (`METADATA`, `PKG-INFO`).
 */
const METADATA_FILE: Readonly<Record<string, string>> = { '.dist-info': 'METADATA', '.egg-info': 'PKG-INFO' };

/** Whether `…/<entry>/<file>` is a distribution's metadata: `Jinja2-3.1.2.DIST-INFO/METADATA` is, `jinja2/METADATA` is not. */
export function isDistributionMetadata(path: string): boolean {
  const parts = path.split('/');
  const file = parts.at(-1);
  const entry = parts.at(-2)?.toLowerCase() ?? '';
  return Object.entries(METADATA_FILE).some(([suffix, name]) => entry.endsWith(suffix) && entry.length > suffix.length && file === name);
}
