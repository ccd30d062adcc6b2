/** Path rules for npm trees: which package.json is a package's own manifest, and which app owns it. */

export interface NpmIdentity {
  readonly name: string;
  /** The scope, `@babel`, used as purl namespace. */
  readonly namespace?: string;
}

/**
 * The package a manifest path belongs to when it is an installed package's own package.json:
 * from the first `node_modules`, the path must alternate `node_modules/<name>` (or `@scope/<name>`),
 * allowing pnpm's `node_modules/.pnpm/<id>/node_modules/…` store, and end in `package.json`. Other
 * package.json files under node_modules (`x/lib/package.json`, test fixtures) are not packages.
 */
export function installedIdentity(path: string): NpmIdentity | undefined {
  const segments = path.split('/');
  let i = segments.indexOf('node_modules');
  if (i < 0 || segments.at(-1) !== 'package.json') return undefined;
  let identity: NpmIdentity | undefined;
  while (i < segments.length - 1) {
    if (segments[i] !== 'node_modules') return undefined;
    i++;
    if (segments[i] === '.pnpm' && segments[i + 2] === 'node_modules') {
      i += 2;
      continue;
    }
    const first = segments[i] ?? '';
    if (first.startsWith('@')) {
      const name = segments[i + 1] ?? '';
      if (first.length < 2 || !isPackageSegment(name) || i + 1 >= segments.length - 1) return undefined;
      identity = { namespace: first, name };
      i += 2;
    } else {
      if (!isPackageSegment(first) || i >= segments.length - 1) return undefined;
      identity = { name: first };
      i += 1;
    }
  }
  return identity;
}

function isPackageSegment(segment: string): boolean {
  return segment !== '' && !segment.startsWith('.') && segment !== 'node_modules' && segment !== 'package.json';
}

/** The directory of the application that owns a path: everything before its first `node_modules`. */
export function appDirectoryOf(path: string): string {
  const segments = path.split('/');
  const index = segments.indexOf('node_modules');
  return segments.slice(0, index < 0 ? segments.length - 1 : index).join('/');
}

export function isUnderNodeModules(path: string): boolean {
  return path.split('/').includes('node_modules');
}

export function directoryOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

export function joinPath(directory: string, relative: string): string {
  return directory === '' ? relative : `${directory}/${relative}`;
}

/** `@scope/name` → identity; a bare name has no namespace. */
export function splitName(fullName: string): NpmIdentity {
  const slash = fullName.indexOf('/');
  if (fullName.startsWith('@') && slash > 1) return { namespace: fullName.slice(0, slash), name: fullName.slice(slash + 1) };
  return { name: fullName };
}

/** The name part of a `name@range` descriptor (the `@` of a scope does not split it). */
export function descriptorName(descriptor: string): string {
  const at = descriptor.indexOf('@', 1);
  return at < 0 ? descriptor : descriptor.slice(0, at);
}

/** `name@npm:^1.0.0` → `name@^1.0.0`: yarn berry spells the registry protocol out, v1 and package.json do not. */
export function normalizeDescriptor(name: string, range: string): string {
  return `${name}@${range.startsWith('npm:') && !range.slice(4).includes('@') ? range.slice(4) : range}`;
}

/** The longest name the npm registry accepts. */
const MAX_NAME_LENGTH = 214;

/**
 * Whether a string can be an npm package's name (`name` or `@scope/name`), by the registry's rules:
 * URL-safe parts, no leading `.` or `_` (a scope's name part may have them), at most 214 characters. Upper case is allowed because old
 * packages (`JSONStream`) still carry it. Lockfile keys and manifests are untrusted, and a name that
 * fails this would make a purl for a package that cannot exist (`node_modules/async`, `../x`).
 */
export function isValidPackageName(fullName: string): boolean {
  if (fullName.length === 0 || fullName.length > MAX_NAME_LENGTH || fullName.startsWith('.') || fullName.startsWith('_')) return false;
  const { namespace, name } = splitName(fullName);
  if (namespace !== undefined && !isValidNamePart(namespace.slice(1))) return false;
  if (namespace === undefined && fullName.startsWith('@')) return false;
  return isValidNamePart(name) && fullName !== 'node_modules' && fullName !== 'favicon.ico';
}

function isValidNamePart(part: string): boolean {
  return part !== '' && encodeURIComponent(part) === part;
}
