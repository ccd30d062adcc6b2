import {
  DescribePullThroughCacheRulesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  GetLifecyclePolicyCommand,
  type ECRClient,
  type ReplicationRule,
  type Repository,
} from '@aws-sdk/client-ecr';
import { CustomsError, isCustomsError } from '../../core/errors.ts';
import { expiringRules } from '../../core/pipeline/lifecycle-risk.ts';
import type { RepositoryKey } from '../../core/pipeline/model.ts';
import type { ExpiringLifecycleRule, RepositorySettings, TagMutability, TagMutabilityExclusion } from '../../core/pipeline/repository-settings.ts';
import type { Clock } from '../../core/ports.ts';
import type { EcrClients } from './ecr-clients.ts';

/**
 * Reads what quarantine must know about a repository from ECR itself: its tag mutability and
 * exclusion filters (DescribeRepositories), the lifecycle rules that could expire a quarantined
 * image (GetLifecyclePolicy), whether a pull-through-cache rule covers it (DescribePullThroughCacheRules)
 * and where the registry replicates it (DescribeRegistry). Every call names the repository's account
 * as registryId and goes to its Region's client. A missing lifecycle policy is an answer; any other
 * failure goes up as raised, for the caller to retry.
 *
 * Answers are kept for a short while (five minutes unless told), since quarantine may ask about the
 * same repository many times in a burst of pushes; the two registry-wide reads are kept per registry.
 */
export interface EcrRepositorySettingsReaderOptions {
  readonly clients: EcrClients;
  /** The quarantine marker's prefix; the marker is this followed by 12 hex digits. */
  readonly markerPrefix: string;
  readonly clock?: Clock;
  /** How long an answer is reused, in milliseconds. */
  readonly maxAgeMs?: number;
  /** How many repositories (and, separately, registries) are remembered at most. */
  readonly maxEntries?: number;
}

const FIVE_MINUTES = 5 * 60 * 1000;
const MODES: ReadonlySet<string> = new Set<TagMutability>(['MUTABLE', 'IMMUTABLE', 'MUTABLE_WITH_EXCLUSION', 'IMMUTABLE_WITH_EXCLUSION']);
// A pull-through-cache rule with this prefix covers every repository no other rule covers.
const ROOT_PREFIX = 'ROOT';
// DescribePullThroughCacheRules pages by 100; a registry holds far fewer rules than this many pages.
const MAX_PAGES = 100;

interface PullThroughCacheRule {
  readonly prefix: string;
  readonly upstreamRegistryUrl: string;
}

interface RegistryWide {
  readonly pullThroughCacheRules: readonly PullThroughCacheRule[];
  readonly replicationRules: readonly ReplicationRule[];
}

export class EcrRepositorySettingsReader {
  private readonly clients: EcrClients;
  private readonly markerPrefix: string;
  private readonly repositories: TimedCache<RepositorySettings>;
  private readonly registries: TimedCache<RegistryWide>;

  constructor(options: EcrRepositorySettingsReaderOptions) {
    this.clients = options.clients;
    this.markerPrefix = options.markerPrefix;
    const clock = options.clock ?? { now: () => new Date() };
    const maxAgeMs = options.maxAgeMs ?? FIVE_MINUTES;
    const maxEntries = options.maxEntries ?? 1000;
    this.repositories = new TimedCache(clock, maxAgeMs, maxEntries);
    this.registries = new TimedCache(clock, maxAgeMs, maxEntries);
  }

  settings(repository: RepositoryKey): Promise<RepositorySettings> {
    return this.repositories.get(`${repository.account}/${repository.region}/${repository.repository}`, () => this.read(repository));
  }

  private async read(repository: RepositoryKey): Promise<RepositorySettings> {
    const ecr = this.clients.forRegion(repository.region);
    const [described, lifecycle, registry] = await Promise.all([
      describeRepository(ecr, repository),
      this.lifecycleRisks(ecr, repository),
      this.registries.get(`${repository.account}/${repository.region}`, () => readRegistry(ecr, repository)),
    ]);
    const pullThroughCache = pullThroughCacheOf(repository.repository, registry.pullThroughCacheRules);
    return {
      repository: { account: repository.account, region: repository.region, repository: repository.repository },
      ...mutabilityOf(described, repository),
      expiringLifecycleRules: lifecycle,
      ...(pullThroughCache ? { pullThroughCache } : {}),
      replicatedTo: replicationOf(repository.repository, registry.replicationRules),
    };
  }

  private async lifecycleRisks(ecr: ECRClient, repository: RepositoryKey): Promise<ExpiringLifecycleRule[]> {
    let text: string | undefined;
    try {
      const output = await ecr.send(new GetLifecyclePolicyCommand({ registryId: repository.account, repositoryName: repository.repository }));
      text = output.lifecyclePolicyText;
    } catch (error) {
      if (error instanceof Error && error.name === 'LifecyclePolicyNotFoundException') return [];
      throw error;
    }
    if (text === undefined) throw unexpected(repository, 'GetLifecyclePolicy returned no lifecyclePolicyText');
    try {
      return expiringRules(text, this.markerPrefix);
    } catch (error) {
      if (isCustomsError(error)) throw new CustomsError(error.code, `${describe(repository)}: ${error.message}`, { cause: error });
      throw error;
    }
  }
}

async function describeRepository(ecr: ECRClient, repository: RepositoryKey): Promise<Repository> {
  const output = await ecr.send(new DescribeRepositoriesCommand({ registryId: repository.account, repositoryNames: [repository.repository] }));
  const found = output.repositories?.find((candidate) => candidate.repositoryName === repository.repository);
  if (!found) throw unexpected(repository, 'DescribeRepositories did not return the repository');
  return found;
}

function mutabilityOf(described: Repository, repository: RepositoryKey): Pick<RepositorySettings, 'tagMutability' | 'exclusions'> {
  const mode = described.imageTagMutability;
  if (mode === undefined) throw unexpected(repository, 'DescribeRepositories returned no imageTagMutability');
  if (!MODES.has(mode)) throw new CustomsError('unsupported', `${describe(repository)}: tag mutability ${JSON.stringify(mode)} is not one Customs knows`);
  const exclusions = (described.imageTagMutabilityExclusionFilters ?? []).map((filter): TagMutabilityExclusion => {
    if (filter.filterType !== 'WILDCARD') throw new CustomsError('unsupported', `${describe(repository)}: tag mutability exclusion filter type ${JSON.stringify(filter.filterType)} is not one Customs knows`);
    if (!filter.filter) throw unexpected(repository, 'a tag mutability exclusion filter has no filter');
    return { filterType: 'WILDCARD', filter: filter.filter };
  });
  return { tagMutability: mode as TagMutability, exclusions };
}

async function readRegistry(ecr: ECRClient, repository: RepositoryKey): Promise<RegistryWide> {
  const [pullThroughCacheRules, replicationRules] = await Promise.all([readPullThroughCacheRules(ecr, repository), readReplicationRules(ecr, repository)]);
  return { pullThroughCacheRules, replicationRules };
}

async function readPullThroughCacheRules(ecr: ECRClient, repository: RepositoryKey): Promise<PullThroughCacheRule[]> {
  const rules: PullThroughCacheRule[] = [];
  const seen = new Set<string>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const output = await ecr.send(new DescribePullThroughCacheRulesCommand({ registryId: repository.account, ...(nextToken ? { nextToken } : {}) }));
    for (const rule of output.pullThroughCacheRules ?? []) {
      if (!rule.ecrRepositoryPrefix || !rule.upstreamRegistryUrl) throw unexpected(repository, 'a pull-through-cache rule has no ecrRepositoryPrefix or upstreamRegistryUrl');
      rules.push({ prefix: rule.ecrRepositoryPrefix, upstreamRegistryUrl: rule.upstreamRegistryUrl });
    }
    nextToken = output.nextToken;
    if (!nextToken) return rules;
    if (seen.has(nextToken)) throw unexpected(repository, 'DescribePullThroughCacheRules returned the same nextToken twice');
    seen.add(nextToken);
  }
  throw unexpected(repository, `DescribePullThroughCacheRules returned more than ${MAX_PAGES} pages`);
}

async function readReplicationRules(ecr: ECRClient, repository: RepositoryKey): Promise<readonly ReplicationRule[]> {
  // DescribeRegistry takes no registryId: it describes the caller's own registry in that Region.
  const output = await ecr.send(new DescribeRegistryCommand({}));
  if (output.registryId !== repository.account) {
    throw new CustomsError(
      'unsupported',
      `${describe(repository)}: DescribeRegistry answers for registry ${JSON.stringify(output.registryId)}, so the replication of account ${repository.account} cannot be read`,
    );
  }
  return output.replicationConfiguration?.rules ?? [];
}

/** The most specific rule whose prefix namespace holds the repository (`prefix/…`), else a ROOT rule. */
function pullThroughCacheOf(name: string, rules: readonly PullThroughCacheRule[]): RepositorySettings['pullThroughCache'] {
  let best: PullThroughCacheRule | undefined;
  let bestLength = -1;
  for (const rule of rules) {
    // ECR reads a prefix as a namespace: `prod` covers `prod/…`, never `prod` or `production/…`.
    const length = rule.prefix === ROOT_PREFIX ? 0 : name.startsWith(`${rule.prefix.replace(/\/+$/, '')}/`) ? rule.prefix.length : -1;
    if (length > bestLength) {
      best = rule;
      bestLength = length;
    }
  }
  return best ? { prefix: best.prefix, upstreamRegistryUrl: best.upstreamRegistryUrl } : undefined;
}

/** Destinations of every rule that has no repository filter or a PREFIX_MATCH filter the name starts with. */
function replicationOf(name: string, rules: readonly ReplicationRule[]): RepositorySettings['replicatedTo'] {
  const destinations = new Map<string, { region: string; registryId: string }>();
  for (const rule of rules) {
    const filters = rule.repositoryFilters ?? [];
    for (const filter of filters) {
      if (filter.filterType !== 'PREFIX_MATCH') throw new CustomsError('unsupported', `replication filter type ${JSON.stringify(filter.filterType)} is not one Customs knows`);
    }
    if (filters.length > 0 && !filters.some((filter) => filter.filter !== undefined && name.startsWith(filter.filter))) continue;
    for (const destination of rule.destinations ?? []) {
      if (!destination.region || !destination.registryId) throw new CustomsError('malformed', 'ECR DescribeRegistry returned a replication destination without region or registryId');
      destinations.set(`${destination.registryId}/${destination.region}`, { region: destination.region, registryId: destination.registryId });
    }
  }
  return [...destinations.values()];
}

function describe(repository: RepositoryKey): string {
  return `ECR repository ${repository.repository} (account ${repository.account}, ${repository.region})`;
}

function unexpected(repository: RepositoryKey, what: string): CustomsError {
  return new CustomsError('malformed', `${describe(repository)}: ${what}`);
}

/**
 * Promises kept for `maxAgeMs` by the injected clock, so concurrent askers share one read. A failed
 * read is forgotten at once (the next ask retries); the oldest entry goes when the cache is full.
 */
class TimedCache<T> {
  private readonly entries = new Map<string, { readonly at: number; readonly value: Promise<T> }>();

  constructor(
    private readonly clock: Clock,
    private readonly maxAgeMs: number,
    private readonly maxEntries: number,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (entry && now - entry.at < this.maxAgeMs) return entry.value;
    this.entries.delete(key);
    const value = load();
    const fresh = { at: now, value };
    this.entries.set(key, fresh);
    value.catch(() => {
      if (this.entries.get(key) === fresh) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return value;
  }
}
