import { createFileAtomic } from './atomic-file.ts';

/**
 * The policy `npm start` begins with: every repository enforced on push (a failing image loses its
 * tags, the one quarantine method the local registry supports), failing on CRITICAL, re-evaluations
 * alerting only. Written where the stack reads it, to be edited in place.
 */
export const DEFAULT_LOCAL_POLICY_YAML = `# Customs policy for the local stack, re-read when this file changes.
# Same document as customs.policies in cdk.json (JSON works too); see the README's Policy section.
# VEX documents go inline here: the local stack reads no S3.
default:
  mode: enforce          # audit only reports; enforce also quarantines an image failing on push
  failOn: CRITICAL       # a remaining finding at or above this severity fails the image
  ignoreUnfixed: false
  ignore: []             # - { id: CVE-2023-44487, reason: "why", expires: 2027-03-31, package: nghttp2 }
  vex: []                # - { inline: { "@context": "https://openvex.dev/ns/v0.2.0", ... } }
  quarantine:
    method: untag        # the local registry has no archive storage class
    enforceOnRescan: false
overrides: []            # - { repositories: { prefixes: [team-a/] }, mode: audit }
`;

/** Writes the default policy at `path` when nothing is there (a user's edited policy is never replaced). True when written. */
export function writeDefaultPolicy(path: string): Promise<boolean> {
  return createFileAtomic(path, DEFAULT_LOCAL_POLICY_YAML, { mode: 0o644 });
}
