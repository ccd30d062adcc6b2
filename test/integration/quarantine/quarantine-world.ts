import type { PutImageCommandInput } from '@aws-sdk/client-ecr';
import { findingsDocumentClient } from '../../../lambdas/adapters/dynamodb/document-client.ts';
import { DynamoDbImageStateStore } from '../../../lambdas/adapters/dynamodb/dynamodb-image-state-store.ts';
import { DynamoDbQuarantineStore } from '../../../lambdas/adapters/dynamodb/dynamodb-quarantine-store.ts';
import { DynamoDbVerdictStore } from '../../../lambdas/adapters/dynamodb/dynamodb-verdict-store.ts';
import { FINDINGS_TABLE } from '../../../lambdas/adapters/dynamodb/table-schema.ts';
import { RegionalEcrClients } from '../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrQuarantineRegistry } from '../../../lambdas/adapters/ecr/ecr-quarantine-registry.ts';
import { ecrRepositoryArn } from '../../../lambdas/adapters/ecr/ecr-repository-arn.ts';
import { ECRClient } from '@aws-sdk/client-ecr';
import type { CustomsEvent, ImageAlert, OutgoingAlert } from '../../../lambdas/core/alerts/alert-model.ts';
import { parseDigest, type Digest } from '../../../lambdas/core/digest.ts';
import type { ImageKey } from '../../../lambdas/core/pipeline/model.ts';
import { quarantineMarkerOf, type QuarantineTrigger } from '../../../lambdas/core/pipeline/quarantine-model.ts';
import type { Verdict } from '../../../lambdas/core/pipeline/verdict-model.ts';
import { compilePolicyCatalogue } from '../../../lambdas/core/policy/policy-catalogue.ts';
import { parsePolicyDocument, type PolicyDocumentInput } from '../../../lambdas/core/policy/policy-document.ts';
import { StaticPolicySource } from '../../../lambdas/core/policy/static-policy-source.ts';
import type { AlertPublisher, EventPublisher } from '../../../lambdas/core/ports.ts';
import { enforceVerdicts, type EnforcementOutcome } from '../../../lambdas/core/use-cases/enforce-verdicts.ts';
import { releaseImage, type ReleaseOutcome } from '../../../lambdas/core/use-cases/release-image.ts';
import { createLocalTable, localDynamoDbClient } from '../../support/dynamodb-tables.ts';
import { ACCOUNT, REGION } from '../../support/ecr-events.ts';
import { ociManifest, startEcrQuarantineStub, type EcrQuarantineStub, type StubManifest } from '../../support/ecr-quarantine-stub.ts';

/**
 * The enforce-verdicts and release-image use cases wired to their real adapters: the DynamoDB
 * verdict, quarantine and image state stores on DynamoDB Local (a table of the file's own), the
 * EcrQuarantineRegistry on the stateful ECR stub (exact requests), the policy from a parsed and
 * compiled document. Alerts and events are what the use cases hand to the AlertPublisher and
 * EventPublisher ports. The clock moves only when a test moves it.
 */
export const T0 = new Date('2026-11-16T02:00:00.000Z');
export const CVE = 'CVE-2021-44906';
export const RELEASER = 'arn:aws:iam::111122223333:role/security';

/** One document for every test: the prefix says which quarantine settings a repository gets. */
export const POLICY: PolicyDocumentInput = {
  default: { mode: 'enforce' },
  overrides: [
    { repositories: { prefixes: ['archive/'] }, quarantine: { method: 'archive' } },
    { repositories: { prefixes: ['rescan/'] }, quarantine: { enforceOnRescan: true } },
    { repositories: { prefixes: ['alert-only/'] }, quarantine: { immutableTags: 'alert-only' } },
    { repositories: { prefixes: ['untag-anyway/'] }, quarantine: { immutableTags: 'untag' } },
  ],
};

export interface SeededImage {
  readonly key: ImageKey;
  readonly digest: Digest;
  readonly manifest: StubManifest;
  readonly marker: string;
}

export interface QuarantineWorld {
  readonly ecr: EcrQuarantineStub;
  readonly verdicts: DynamoDbVerdictStore;
  readonly quarantines: DynamoDbQuarantineStore;
  readonly images: DynamoDbImageStateStore;
  /** Every alert handed to the AlertPublisher, in order. */
  readonly alerts: OutgoingAlert[];
  readonly events: CustomsEvent[];
  now(): Date;
  advance(ms: number): void;
  /** An image in the stub with real manifest bytes, its tags in the image state (tag history) and a stored FAIL verdict. */
  seed(repository: string, tags: readonly string[]): Promise<SeededImage>;
  /** Another image (no verdict) for a user's push: its manifest and digest. */
  other(seed: string): { readonly digest: Digest; readonly manifest: StubManifest };
  /** A user's push of the tag onto the digest, in the stub and in the image state (tag history) at the clock's time. */
  userPush(repository: string, tag: string, image: { readonly digest: Digest; readonly manifest: StubManifest }): Promise<void>;
  /** A user's deletion of the tag, in the stub and in the image state. */
  userDelete(repository: string, tag: string, digest: Digest): Promise<void>;
  enforce(key: ImageKey, trigger?: QuarantineTrigger): Promise<EnforcementOutcome>;
  release(key: ImageKey, reason?: string): Promise<ReleaseOutcome>;
  /** The image alerts handed over since `from` (an index into `alerts`). */
  alertsSince(from: number): ImageAlert[];
  /** The exact PutImage input that puts `tag` on the seeded image. */
  putImage(image: SeededImage, tag: string): PutImageCommandInput;
  stop(): void;
}

export async function startQuarantineWorld(prefix: string): Promise<QuarantineWorld> {
  const dynamodb = localDynamoDbClient();
  const table = { client: findingsDocumentClient(dynamodb), tableName: await createLocalTable(dynamodb, FINDINGS_TABLE, prefix) };
  const verdicts = new DynamoDbVerdictStore(table);
  const quarantines = new DynamoDbQuarantineStore(table);
  const images = new DynamoDbImageStateStore(table);
  const ecr = startEcrQuarantineStub({ account: ACCOUNT, region: REGION });
  const catalogue = compilePolicyCatalogue(parsePolicyDocument(POLICY), new Map());
  const policies = new StaticPolicySource(catalogue);
  const outgoing: OutgoingAlert[] = [];
  const events: CustomsEvent[] = [];
  const alerts: AlertPublisher = { publish: async (batch) => void outgoing.push(...batch) };
  const eventBus: EventPublisher = { publish: async (batch) => void events.push(...batch) };
  let now = T0.getTime();
  const clock = { now: () => new Date(now) };
  // A new registry per call, as a new Lambda environment builds it (its settings cache starts empty).
  const registry = () => new EcrQuarantineRegistry({ clients: new RegionalEcrClients({ create: (region) => new ECRClient({ region }) }) });

  async function recordTag(repository: string, digest: Digest, tag: string, at: Date): Promise<void> {
    await images.recordPush({ account: ACCOUNT, region: REGION, repository, digest, tag, pushedAt: at, kind: 'push' }, at);
  }

  return {
    ecr,
    verdicts,
    quarantines,
    images,
    alerts: outgoing,
    events,
    now: clock.now,
    advance(ms) {
      now += ms;
    },
    async seed(repository, tags) {
      const manifest = ociManifest(`${repository}:${tags.join(',')}`);
      const digest = parseDigest(manifest.digest);
      const key = { account: ACCOUNT, region: REGION, repository, digest };
      const pushedAt = new Date(now - 60_000);
      ecr.image(repository, digest, tags, { manifest, pushedAt });
      for (const tag of tags) await recordTag(repository, digest, tag, pushedAt);
      if (!(await verdicts.put(key, { verdict: failingVerdict(repository, digest, catalogue.policyFor(repository)) }, undefined))) throw new Error(`a verdict for ${repository}@${digest} was stored already`);
      return { key, digest, manifest, marker: quarantineMarkerOf(digest) };
    },
    other(seed) {
      const manifest = ociManifest(seed);
      return { digest: parseDigest(manifest.digest), manifest };
    },
    async userPush(repository, tag, image) {
      ecr.push(repository, tag, image.digest, image.manifest);
      await recordTag(repository, image.digest, tag, clock.now());
    },
    async userDelete(repository, tag, digest) {
      ecr.deleteTag(repository, tag);
      await images.removeTag({ account: ACCOUNT, region: REGION, repository, digest }, tag, clock.now());
    },
    async enforce(key, trigger = 'push') {
      const outcomes = await enforceVerdicts([{ key, trigger }], {
        verdicts,
        quarantines,
        registry: registry(),
        policies,
        alerts,
        events: eventBus,
        clock,
        options: { repositoryId: ecrRepositoryArn, emailImageCap: 20 },
      });
      if (outcomes.length !== 1) throw new Error(`enforceVerdicts answered ${outcomes.length} outcomes for one request`);
      return outcomes[0]!;
    },
    release(key, reason = 'SEC-7: not reachable in this service') {
      return releaseImage(
        { key, by: RELEASER, reason, trigger: 'request' },
        { quarantines, registry: registry(), tags: images, verdicts, alerts, events: eventBus, clock, options: { repositoryId: ecrRepositoryArn } },
      );
    },
    alertsSince: (from) => outgoing.slice(from).flatMap((entry) => (entry.alert.kind === 'image' ? [entry.alert] : [])),
    putImage: (image, tag) => ({
      registryId: ACCOUNT,
      repositoryName: image.key.repository,
      imageManifest: image.manifest.text,
      imageManifestMediaType: image.manifest.mediaType,
      imageTag: tag,
      imageDigest: image.digest,
    }),
    stop() {
      ecr.restore();
    },
  };
}

/** A FAIL in enforce mode as the repository's policy judges it: one CRITICAL finding (minimist 1.2.0). */
function failingVerdict(repository: string, digest: Digest, policy: { version: string; source: string; mode: 'audit' | 'enforce'; failOn: Verdict['failOn'] }): Verdict {
  const finding = {
    key: `${CVE}|pkg:npm/minimist@1.2.0|/app/node_modules/minimist/package.json`,
    id: CVE,
    aliases: ['GHSA-xvch-5gv4-984h'],
    severity: 'CRITICAL' as const,
    package: { name: 'minimist', version: '1.2.0', purl: 'pkg:npm/minimist@1.2.0', type: 'npm', path: '/app/node_modules/minimist/package.json' },
    installedVersion: '1.2.0',
    fixedVersions: ['1.2.6'],
    manifestDigest: digest,
    title: `Prototype Pollution in minimist (${repository})`,
  };
  return {
    verdict: 'FAIL',
    reason: '1 finding at or above CRITICAL',
    policyVersion: policy.version,
    policySource: policy.source,
    mode: policy.mode,
    failOn: policy.failOn,
    counts: { CRITICAL: 1, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
    failingCount: 1,
    failingIds: [CVE],
    failing: [finding],
    worst: [finding],
    suppressedCount: 0,
    suppressions: [],
    platforms: [{ digest, platform: { os: 'linux', architecture: 'amd64' }, verdict: 'FAIL', status: 'SCANNED', scannedAt: new Date(T0.getTime() - 30_000) }],
    evaluatedAt: new Date(T0.getTime() - 20_000),
  };
}
