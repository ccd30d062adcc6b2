import type { z } from 'zod';
import { CustomsError } from '../errors.ts';

/** Parses untrusted JSON against a schema; errors name the document and the first problem. */
export function parseJson<S extends z.ZodType>(bytes: Uint8Array, schema: S, what: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new CustomsError('malformed', `${what} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new CustomsError('malformed', `${what} is not a valid document${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Reads a JSON value without a schema, for sniffing a document's kind. */
export function peekJson(bytes: Uint8Array, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new CustomsError('malformed', `${what} is not a JSON object`);
}
