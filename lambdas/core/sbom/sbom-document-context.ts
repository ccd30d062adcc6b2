import type { z } from 'zod';
import type { Digest } from '../digest.ts';

/** What every format reader knows about the document it reads. */
export interface DocumentContext {
  /** How the caller names the document (a file path), for messages and Distro.source. */
  readonly source: string;
  /** The file name alone: the repository of an image the document does not name. */
  readonly fileName: string;
  /** sha256 of the document bytes: the config digest of an image the document does not identify. */
  readonly documentDigest: Digest;
}

/** The first zod issue as `at a.b.0: message`, for errors that name what was wrong. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return issue.path.length > 0 ? `at ${issue.path.join('.')}: ${issue.message}` : issue.message;
}
