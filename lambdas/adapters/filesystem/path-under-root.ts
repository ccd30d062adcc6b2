import { isAbsolute, relative, resolve, sep } from 'node:path';
import { CustomsError } from '../../core/errors.ts';

/** One path segment a store may derive from a digest, id or part number: no separators, no dot names. */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/**
 * The file `segments` name below `root`, refused (`unsafe`) when a segment is not a plain name or
 * the result would land outside the root. Both checks, so a pattern loosened later still cannot
 * climb out; `what` names the thing in the message.
 */
export function pathUnderRoot(root: string, segments: readonly string[], what: string): string {
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment.includes('..')) throw new CustomsError('unsafe', `${what}: ${JSON.stringify(segment)} is not a plain file name`);
  }
  const base = resolve(root);
  const path = resolve(base, ...segments);
  const inside = relative(base, path);
  if (inside === '' || inside.startsWith(`..${sep}`) || inside === '..' || isAbsolute(inside)) throw new CustomsError('unsafe', `${what} would lie outside ${base}`);
  return path;
}

