// The policy document: how every repository's images are judged. Users write it in cdk.json under
// `customs.policies`; the stack stores it (as JSON) where the pipeline reads it. One default and
// overrides by repository name or prefix:
//
//   {
//     "default": { "mode": "audit", "failOn": "CRITICAL", "ignoreUnfixed": false, "ignore": [], "vex": [],
//                  "quarantine": { "method": "untag", "immutableTags": "archive", "enforceOnRescan": false } },
//     "overrides": [
//       { "repositories": { "names": ["payments/api"], "prefixes": ["team-a/"] }, "failOn": "HIGH",
//         "ignore": [{ "id": "CVE-2023-44487", "reason": "HTTP/2 is not exposed", "expires": "2026-12-31" }],
//         "vex": [{ "s3": { "bucket": "my-vex", "key": "payments.openvex.json" } }, { "inline": { "@context": "…" } }] }
//     ]
//   }
//
// Ignore entries are exactly the CLI ignore file's entries, and inline VEX documents are read by the
// CLI's OpenVEX reader, both here already, so a wrong entry fails `cdk synth` and not a verdict.
import { z } from 'zod';
import { CustomsError, messageOf } from '../errors.ts';
import { SEVERITIES } from '../findings/model.ts';
import { ignoreEntryProblem } from './ignore-file.ts';
import { policyErrorMap } from './issue-messages.ts';
import { parseOpenVex } from './openvex.ts';

/** ECR's own pattern for repository names (namespaces separated by `/`), 2-256 characters. */
export const REPOSITORY_NAME_PATTERN = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** A prefix is the start of such a name: it may end in a separator (`team/`, `app-`). */
export const REPOSITORY_PREFIX_PATTERN = /^[a-z0-9][a-z0-9._/-]*$/;

export const repositoryNameSchema = z.string().min(2).max(256).regex(REPOSITORY_NAME_PATTERN, 'is not an ECR repository name');
export const repositoryPrefixSchema = z.string().min(1).max(255).regex(REPOSITORY_PREFIX_PATTERN, 'is not the start of an ECR repository name');

/** One ignore entry, as the CLI's ignore file writes it (see ignore-file.ts). */
export interface IgnoreEntryInput {
  readonly id: string;
  readonly reason: string;
  /** YYYY-MM-DD (through the end of that day, UTC) or an RFC 3339 timestamp. */
  readonly expires?: string;
  /** A package name (binary or source package) or a purl. */
  readonly package?: string;
  /** Glob on the file the package was found in. */
  readonly path?: string;
}

const ignoreEntry = z.custom<IgnoreEntryInput>().superRefine((value, context) => {
  const problem = ignoreEntryProblem(value);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem, input: value });
});

// Where inline documents are named in messages; a parse error's own prefix is dropped under its path.
const INLINE_SOURCE = 'inline';

const inlineVex = z.record(z.string(), z.unknown()).superRefine((document, context) => {
  try {
    parseOpenVex(JSON.stringify(document), INLINE_SOURCE);
  } catch (error) {
    const prefix = `OpenVEX document ${INLINE_SOURCE}: `;
    const message = messageOf(error);
    context.addIssue({ code: 'custom', message: message.startsWith(prefix) ? message.slice(prefix.length) : message, input: document });
  }
});

// S3's rules for bucket names; keys may not hold IAM wildcards, since each one becomes a grant.
const s3Object = z.strictObject({
  bucket: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'is not an S3 bucket name'),
  key: z
    .string()
    .min(1)
    .max(1024)
    .refine((key) => !/[*?]/.test(key), 'must not contain * or ? (IAM would read them as wildcards)'),
});

export type S3ObjectRef = z.output<typeof s3Object>;
export type VexRef = { readonly inline: Readonly<Record<string, unknown>> } | { readonly s3: S3ObjectRef };

const vexRef = z
  .strictObject({ inline: inlineVex.optional(), s3: s3Object.optional() })
  .superRefine((ref, context) => {
    if ((ref.inline === undefined) === (ref.s3 === undefined)) context.addIssue({ code: 'custom', message: 'must give exactly one of inline (an OpenVEX document) or s3 ({ bucket, key })', input: ref });
  })
  .transform((ref): VexRef => (ref.inline !== undefined ? { inline: ref.inline } : { s3: ref.s3! }));

const mode = z.enum(['audit', 'enforce']);

// What enforce mode does (quarantine-model.ts): an override's settings replace the default's one by one.
const quarantineMethod = z.enum(['untag', 'archive']);
const immutableTags = z.enum(['archive', 'alert-only', 'untag']);
const defaultQuarantine = z.strictObject({
  method: quarantineMethod.default('untag'),
  immutableTags: immutableTags.default('archive'),
  enforceOnRescan: z.boolean().default(false),
});
const overrideQuarantine = z.strictObject({
  method: quarantineMethod.optional(),
  immutableTags: immutableTags.optional(),
  enforceOnRescan: z.boolean().optional(),
});
const severity = z.enum(SEVERITIES);

const defaultPolicy = z.strictObject({
  mode: mode.default('audit'),
  failOn: severity.default('CRITICAL'),
  ignoreUnfixed: z.boolean().default(false),
  ignore: z.array(ignoreEntry).default([]),
  vex: z.array(vexRef).default([]),
  quarantine: defaultQuarantine.prefault({}),
});

const repositories = z
  .strictObject({ names: z.array(repositoryNameSchema).default([]), prefixes: z.array(repositoryPrefixSchema).default([]) })
  .refine((selection) => selection.names.length + selection.prefixes.length > 0, 'must name at least one repository (names or prefixes)');

/** Settings an override leaves out are the default's. */
const override = z.strictObject({
  repositories,
  mode: mode.optional(),
  failOn: severity.optional(),
  ignoreUnfixed: z.boolean().optional(),
  ignore: z.array(ignoreEntry).default([]),
  vex: z.array(vexRef).default([]),
  quarantine: overrideQuarantine.optional(),
});

/** A name or prefix in two overrides (or twice in one) would make the choice between them arbitrary. */
const overrides = z.array(override).superRefine((list, context) => {
  const seen = new Map<string, number>();
  list.forEach((entry, index) => {
    for (const kind of ['names', 'prefixes'] as const) {
      entry.repositories[kind].forEach((value, position) => {
        const key = `${kind}:${value}`;
        const first = seen.get(key);
        if (first === undefined) seen.set(key, index);
        else {
          const where = first === index ? 'earlier in this override' : `in overrides[${String(first)}]`;
          context.addIssue({ code: 'custom', path: [index, 'repositories', kind, position], message: `repeats ${JSON.stringify(value)}, already ${where}`, input: value });
        }
      });
    }
  });
});

export const policyDocumentSchema = z.strictObject({
  default: defaultPolicy.prefault({}),
  overrides: overrides.default([]),
});

/** What the document may be written as (every field optional). */
export type PolicyDocumentInput = z.input<typeof policyDocumentSchema>;
/** The validated document, the default's settings filled in. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;
export type PolicyOverride = PolicyDocument['overrides'][number];

/**
 * Validates a policy document; `where` names it in messages (`policies.overrides[1].ignore[0]: reason
 * is required`). Every wrong setting is named. Throws CustomsError('malformed').
 */
export function parsePolicyDocument(value: unknown, where = 'policies'): PolicyDocument {
  const result = policyDocumentSchema.safeParse(value ?? {}, { error: policyErrorMap });
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${pathOf(where, issue.path)}: ${issue.message}`);
  throw new CustomsError('malformed', problems.join('; '));
}

/** `policies.overrides[1].ignore[0]`. */
export function pathOf(root: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, part) => (typeof part === 'number' ? `${text}[${String(part)}]` : `${text}.${String(part)}`), root);
}

/** `s3://bucket/key`: how an S3 VEX document is named in messages and keyed when loaded. */
export function s3Uri(ref: S3ObjectRef): string {
  return `s3://${ref.bucket}/${ref.key}`;
}

/** The distinct S3 VEX documents the policies name, in document order: what the pipeline reads (and may read). */
export function vexObjectsOf(document: PolicyDocument): S3ObjectRef[] {
  const found = new Map<string, S3ObjectRef>();
  for (const policy of [document.default, ...document.overrides]) {
    for (const ref of policy.vex) if ('s3' in ref && !found.has(s3Uri(ref.s3))) found.set(s3Uri(ref.s3), { bucket: ref.s3.bucket, key: ref.s3.key });
  }
  return [...found.values()];
}
