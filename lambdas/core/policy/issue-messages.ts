import type { z } from 'zod';

/**
 * Zod error map for policy documents: short messages that read after a field name
 * (`reason is required`, `status must be one of …`), since users fix these files by hand.
 */
export const policyErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}, not ${describe(issue.input)}`;
    case 'too_small':
      return issue.origin === 'string' ? 'must not be empty' : issue.origin === 'array' ? `must list at least ${String(issue.minimum)}` : undefined;
    case 'invalid_value':
      return `must be one of ${issue.values.map(String).join(', ')}`;
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((key) => JSON.stringify(key)).join(', ')}`;
    default:
      return undefined;
  }
};

/**
 * `field.path message`; for the object itself, `subject message` (`the document must be a mapping`),
 * except for unknown fields, which name themselves.
 */
export function describeIssue(issue: z.core.$ZodIssue, subject?: string): string {
  const path = issue.path.map(String).join('.');
  if (path) return `${path} ${issue.message}`;
  return subject && issue.code !== 'unrecognized_keys' ? `${subject} ${issue.message}` : issue.message;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { string: 'a string', object: 'a mapping', array: 'a list', number: 'a number', boolean: 'true or false', date: 'a date' };

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Date) return 'a date';
  return typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
}
