import type { z } from 'zod';

/**
 * A Lambda's environment through its schema. A missing or bad value fails the cold start with one
 * error naming every variable that is wrong (`<what> environment is incomplete: NAME: why; …`), so
 * a misconfigured stack shows all its mistakes at once.
 */
export function readEnvironment<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv, what: string): z.output<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`${what} environment is incomplete: ${problems}`);
  }
  return parsed.data;
}
