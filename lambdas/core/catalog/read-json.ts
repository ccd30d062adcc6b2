import type { z } from 'zod';
import type { IssueSink } from './file-analyzer.ts';

/** Decodes untrusted JSON against a schema; a problem becomes a warning and undefined, never a throw. */
export function readJson<S extends z.ZodType>(bytes: Uint8Array, schema: S, issues: IssueSink): z.infer<S> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    issues.warn(`is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    issues.warn(`is not the expected document${issue?.path.length ? ` at ${issue.path.join('.')}` : ''}: ${issue?.message ?? 'invalid'}`);
    return undefined;
  }
  return result.data;
}
