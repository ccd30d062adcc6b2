import { parseAllDocuments } from 'yaml';
import { keyProblem } from './yaml-keys.ts';
import { yamlNesting } from './yaml-nesting.ts';

/** Lockfile writers nest a handful of levels; these leave room for hand edits and stop far below yaml's recursion limits. */
const MAX_FLOW_DEPTH = 32;
const MAX_BLOCK_COLUMN = 128;

export type LockfileYaml = { readonly documents: readonly unknown[] } | { readonly problem: string };

/**
 * Every document of a pnpm-lock.yaml or yarn berry yarn.lock, as plain data, or what makes it
 * unreadable. The failsafe schema keeps every scalar a string (`1.10` stays `1.10`, `true` is
 * text), duplicate keys are an error (checked by yaml-keys.ts), and aliases are refused outright: no lockfile writer emits
 * them, and refusing them rules out alias expansion bombs. Never throws.
 */
export function readLockfileYaml(text: string): LockfileYaml {
  const depth = yamlNesting(text);
  if (depth.flow > MAX_FLOW_DEPTH) return { problem: `flow collections nest ${depth.flow} deep, more than ${MAX_FLOW_DEPTH}` };
  if (depth.column > MAX_BLOCK_COLUMN) return { problem: `content is indented ${depth.column} columns, more than ${MAX_BLOCK_COLUMN}` };
  const parsed = parseAllDocuments(text, { schema: 'failsafe', uniqueKeys: false, merge: false, prettyErrors: false, customTags: [] });
  // An empty stream comes back as an EmptyStream object rather than an array.
  if (!Array.isArray(parsed)) return { documents: [] };
  const documents: unknown[] = [];
  for (const document of parsed) {
    const problem = document.errors[0] ?? document.warnings[0];
    if (problem) return { problem: firstLine(problem.message) };
    const keys = keyProblem(document);
    if (keys) return { problem: keys };
    try {
      documents.push(document.toJS({ maxAliasCount: 0 }));
    } catch (error) {
      return { problem: firstLine(error instanceof Error ? error.message : String(error)) };
    }
  }
  return { documents };
}

function firstLine(message: string): string {
  return message.split('\n', 1)[0] ?? message;
}
