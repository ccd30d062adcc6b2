import { ancestorsOf } from '../image/image-path.ts';
import type { FileAnalyzer } from './file-analyzer.ts';

interface GlobRule {
  readonly prefix: string;
  /** A cheap test of the file name that every match passes (`*.jar` → ends with `.jar`). */
  readonly name: NameTest;
  readonly regex: RegExp;
  readonly analyzers: readonly FileAnalyzer[];
}

type NameTest = { kind: 'exact'; value: string } | { kind: 'suffix'; value: string } | { kind: 'any' };

/**
 * Decides from a tar header's path alone which analyzers want a file. Literal patterns are a map
 * lookup; globs are tested only when the path starts with their literal prefix, so the cost per
 * entry stays flat however many files a layer has.
 */
export class PathMatcher {
  private readonly literal = new Map<string, FileAnalyzer[]>();
  private readonly globs: GlobRule[] = [];
  /** Directories on the way to a wanted path: replacing one of them changes what is visible. */
  readonly ancestorsOfInterest = new Set<string>();

  constructor(readonly analyzers: readonly FileAnalyzer[]) {
    for (const analyzer of analyzers) {
      for (const pattern of analyzer.patterns) this.add(pattern, analyzer);
    }
  }

  /** Analyzers that want the file at this normalised path (empty when none do). */
  match(path: string): readonly FileAnalyzer[] {
    const literal = this.literal.get(path);
    if (this.globs.length === 0) return literal ?? NONE;
    let matched: FileAnalyzer[] | undefined = literal ? [...literal] : undefined;
    const name = path.slice(path.lastIndexOf('/') + 1);
    for (const rule of this.globs) {
      if (!path.startsWith(rule.prefix) || !nameMayMatch(rule.name, name) || !rule.regex.test(path)) continue;
      matched ??= [];
      for (const analyzer of rule.analyzers) if (!matched.includes(analyzer)) matched.push(analyzer);
    }
    return matched ?? NONE;
  }

  private add(pattern: string, analyzer: FileAnalyzer): void {
    const firstWildcard = pattern.search(/[*?[]/);
    if (firstWildcard < 0) {
      const list = this.literal.get(pattern) ?? [];
      list.push(analyzer);
      this.literal.set(pattern, list);
      for (const ancestor of ancestorsOf(pattern)) this.ancestorsOfInterest.add(ancestor);
      return;
    }
    const prefix = pattern.slice(0, firstWildcard);
    const directory = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    for (const ancestor of ancestorsOf(directory)) this.ancestorsOfInterest.add(ancestor);
    const existing = this.globs.find((rule) => rule.regex.source === globToRegex(pattern).source);
    if (existing) (existing.analyzers as FileAnalyzer[]).push(analyzer);
    else this.globs.push({ prefix, name: nameTestOf(pattern), regex: globToRegex(pattern), analyzers: [analyzer] });
  }
}

/** Most globs end in a literal name or `*.ext`: testing that first spares the regex on most entries. */
function nameTestOf(pattern: string): NameTest {
  const last = pattern.slice(pattern.lastIndexOf('/') + 1);
  if (!/[*?[]/.test(last)) return { kind: 'exact', value: last };
  if (/^\*[^*?[/]+$/.test(last)) return { kind: 'suffix', value: last.slice(1) };
  return { kind: 'any' };
}

function nameMayMatch(test: NameTest, name: string): boolean {
  switch (test.kind) {
    case 'exact':
      return name === test.value;
    case 'suffix':
      return name.endsWith(test.value);
    case 'any':
      return true;
  }
}

const NONE: readonly FileAnalyzer[] = Object.freeze([]);

/** `*` and `?` stay within a path segment; `**` spans any number of segments. */
export function globToRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '*' && pattern[i + 1] === '*') {
      const followedBySlash = pattern[i + 2] === '/';
      source += followedBySlash ? '(?:.*/)?' : '.*';
      i += followedBySlash ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`);
}
