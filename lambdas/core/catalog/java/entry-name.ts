/**
 * Whether a zip entry name tries to leave the archive (zip-slip): absolute paths, drive letters, or
 * `..` segments, with either slash. Customs never extracts, but such names end up in reported paths
 * and mark an archive built to attack extracting tools.
 */
export function isUnsafeEntryName(name: string): boolean {
  if (name.startsWith('/') || name.startsWith('\\') || /^[A-Za-z]:/.test(name)) return true;
  return name.split(/[/\\]/).some((segment) => segment === '..');
}

const ARCHIVE = /\.(jar|war|ear|par|jpi|hpi)$/i;

/** Whether a name is a Java archive Customs opens: the analyzer's patterns, for nested entries too. */
export function isJavaArchiveName(name: string): boolean {
  return ARCHIVE.test(name);
}
