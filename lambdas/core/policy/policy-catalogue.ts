import { CustomsError } from '../errors.ts';
import { canonicalJson, policyVersionOf } from './canonical-json.ts';
import { ignoreRulesFromEntries } from './ignore-file.ts';
import type { IgnoreRule } from './ignore-rule.ts';
import { parseOpenVex } from './openvex.ts';
import { s3Uri, vexObjectsOf, type PolicyDocument, type PolicyOverride, type VexRef } from './policy-document.ts';
import type { PolicyCatalogue, RepositoryPolicy } from './repository-policy.ts';
import type { VexStatement } from './vex-statement.ts';

type Settings = PolicyDocument['default'] | PolicyOverride;

/** One VEX document of a policy: its text (what the version hashes) and its statements. */
interface VexDocument {
  readonly text: string;
  readonly statements: readonly VexStatement[];
}

/**
 * Compiles a validated policy document: every repository's policy, with the CLI's ignore rules and
 * VEX statements. `vexTexts` holds the text of each S3 VEX document the policies name, keyed by
 * `s3://bucket/key` (see vexObjectsOf); a missing or malformed one is an error here, not at a verdict.
 *
 * A repository gets the override listing its exact name, else the override with the longest prefix
 * of it, else the default. In an override, `mode`, `failOn` and `ignoreUnfixed` replace the
 * default's when given (and each `quarantine` setting the default's), while `ignore` and `vex` add to the default's lists (the default's entries
 * first): an override cannot silently drop an organisation-wide exception or VEX document.
 */
export function compilePolicyCatalogue(document: PolicyDocument, vexTexts: ReadonlyMap<string, string>): PolicyCatalogue {
  const s3Documents = new Map<string, VexDocument>();
  for (const ref of vexObjectsOf(document)) {
    const uri = s3Uri(ref);
    const text = vexTexts.get(uri);
    if (text === undefined) throw new CustomsError('not-found', `policy VEX document ${uri} was not loaded`);
    s3Documents.set(uri, { text, statements: parseOpenVex(text, uri) });
  }
  const compile = (source: string, override?: PolicyOverride): RepositoryPolicy => effectivePolicy(document.default, source, override, s3Documents);

  const byName = new Map<string, RepositoryPolicy>();
  const byPrefix: { prefix: string; policy: RepositoryPolicy }[] = [];
  for (const override of document.overrides) {
    for (const name of override.repositories.names) byName.set(name, compile(`name:${name}`, override));
    for (const prefix of override.repositories.prefixes) byPrefix.push({ prefix, policy: compile(`prefix:${prefix}`, override) });
  }
  // Longest first, so the first prefix found is the most specific (prefixes are distinct, so no ties).
  byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
  const fallback = compile('default');

  return {
    version: policyVersionOf({ document, vex: [...s3Documents].map(([uri, { text }]) => ({ uri, text })).sort((a, b) => (a.uri < b.uri ? -1 : 1)) }),
    policyFor(repository: string): RepositoryPolicy {
      return byName.get(repository) ?? byPrefix.find(({ prefix }) => repository.startsWith(prefix))?.policy ?? fallback;
    },
  };
}

function effectivePolicy(defaults: PolicyDocument['default'], source: string, override: PolicyOverride | undefined, s3Documents: ReadonlyMap<string, VexDocument>): RepositoryPolicy {
  // Each entry's rules and documents are named after the policy entry that wrote them.
  const layers: { settings: Settings; label: string }[] = [{ settings: defaults, label: 'policy default' }];
  if (override) layers.push({ settings: override, label: `policy ${source}` });
  const mode = override?.mode ?? defaults.mode;
  const failOn = override?.failOn ?? defaults.failOn;
  const ignoreUnfixed = override?.ignoreUnfixed ?? defaults.ignoreUnfixed;
  const ignores: IgnoreRule[] = layers.flatMap(({ settings, label }) => ignoreRulesFromEntries(settings.ignore, label, (entry) => `${label}: ignore[${String(entry - 1)}]`));
  const documents = layers.flatMap(({ settings, label }) => settings.vex.map((ref, index) => vexDocumentOf(ref, `${label} vex[${String(index)}]`, s3Documents)));
  return {
    source,
    // Only what decides a verdict: equal policies get equal versions whichever entry they came from.
    version: policyVersionOf({ mode, failOn, ignoreUnfixed, ignore: layers.flatMap(({ settings }) => settings.ignore), vex: documents.map(({ text }) => text) }),
    mode,
    failOn,
    ignoreUnfixed,
    ignores,
    vex: documents.flatMap(({ statements }) => statements),
    quarantine: { ...defaults.quarantine, ...definedOnly(override?.quarantine) },
  };
}

/** An override's quarantine settings that it gives (an absent one keeps the default's). */
function definedOnly(settings: PolicyOverride['quarantine']): Partial<RepositoryPolicy['quarantine']> {
  return Object.fromEntries(Object.entries(settings ?? {}).filter(([, value]) => value !== undefined));
}

function vexDocumentOf(ref: VexRef, name: string, s3Documents: ReadonlyMap<string, VexDocument>): VexDocument {
  if ('s3' in ref) return s3Documents.get(s3Uri(ref.s3))!;
  const text = canonicalJson(ref.inline);
  return { text, statements: parseOpenVex(text, `${name} (inline)`) };
}
