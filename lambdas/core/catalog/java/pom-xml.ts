import { childText, readXml, type XmlElement } from './xml-reader.ts';

/** What an embedded pom.xml says about its artifact; a field is missing when the pom cannot resolve it. */
export interface PomCoordinates {
  readonly group?: string;
  readonly artifact?: string;
  readonly version?: string;
}

export type PomResult = { readonly coordinates: PomCoordinates } | { readonly problem: string };

/** Real poms are a few kilobytes; a BOM listing hundreds of versions stays well under this. */
export const MAX_POM_BYTES = 1024 * 1024;
const LIMITS = { maxChars: MAX_POM_BYTES, maxDepth: 32, maxElements: 50_000 };
/** How many placeholders deep a value may refer (`${a}` → `${b}` → …) before it counts as unresolvable. */
const MAX_INTERPOLATION_DEPTH = 8;

/** Maven's rule for group and artifact IDs. */
const ID = /^[A-Za-z0-9_.-]+$/;
const VERSION = /^[^\s${}/\\]{1,128}$/;

/**
 * The coordinates of a pom.xml as Maven's inheritance gives them: a missing groupId or version comes
 * from `<parent>`. Placeholders resolve from the pom's own `<properties>` and its project and parent
 * fields (`${project.version}`, `${project.parent.groupId}`, `${revision}` set in the pom); anything
 * else (`-D` properties, profiles, settings, a parent's properties) is not in the archive, so such a
 * field is left out rather than guessed.
 */
export function pomCoordinates(bytes: Uint8Array): PomResult {
  if (bytes.length > MAX_POM_BYTES) return { problem: `pom.xml is larger than ${MAX_POM_BYTES} bytes, not read` };
  const read = readXml(new TextDecoder('utf-8').decode(bytes), LIMITS);
  if ('problem' in read) return { problem: `pom.xml ${read.problem}` };
  const project = read.root;
  if (project.name !== 'project') return { problem: `pom.xml's root element is <${project.name}>, not <project>` };
  const parent = project.children.find((child) => child.name === 'parent');
  const resolve = resolver(project, parent);
  const group = resolve('project.groupId');
  const artifact = resolve('project.artifactId');
  const version = resolve('project.version');
  return {
    coordinates: {
      ...(group && ID.test(group) ? { group } : {}),
      ...(artifact && ID.test(artifact) ? { artifact } : {}),
      ...(version && VERSION.test(version) ? { version } : {}),
    },
  };
}

/** Looks up one expression (`project.version`, `revision`), interpolating what it refers to. */
function resolver(project: XmlElement, parent: XmlElement | undefined): (expression: string) => string | undefined {
  const model = new Map<string, string | undefined>();
  const parentField = (name: string) => (parent ? childText(parent, name) : undefined);
  for (const field of ['groupId', 'artifactId', 'version']) {
    const own = childText(project, field);
    // Inheritance: a child pom omits the groupId and version its parent gives (never the artifactId).
    const value = own || (field === 'artifactId' ? undefined : parentField(field));
    const inherited = parentField(field);
    for (const prefix of ['project.', 'pom.']) {
      model.set(`${prefix}${field}`, value);
      model.set(`${prefix}parent.${field}`, inherited);
    }
  }
  const properties = new Map<string, string>();
  for (const property of project.children.find((child) => child.name === 'properties')?.children ?? []) {
    if (!properties.has(property.name)) properties.set(property.name, property.text.trim());
  }
  const lookup = (expression: string, depth: number, resolving: ReadonlySet<string>): string | undefined => {
    if (depth > MAX_INTERPOLATION_DEPTH || resolving.has(expression)) return undefined;
    const raw = model.has(expression) ? model.get(expression) : properties.get(expression);
    if (raw === undefined || raw === '') return undefined;
    const inner = new Set(resolving).add(expression);
    let unresolved = false;
    const value = raw.replace(/\$\{([^}]*)\}/g, (_whole, name: string) => {
      const resolved = lookup(name.trim(), depth + 1, inner);
      if (resolved === undefined) unresolved = true;
      return resolved ?? '';
    });
    return unresolved || value.includes('${') ? undefined : value;
  };
  return (expression) => lookup(expression, 0, new Set());
}
