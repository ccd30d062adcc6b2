import {
  DescribePullThroughCacheRulesCommand,
  DescribeRegistryCommand,
  DescribeRepositoriesCommand,
  ECRClient,
  GetLifecyclePolicyCommand,
  LifecyclePolicyNotFoundException,
  RepositoryNotFoundException,
  type ImageTagMutability,
} from '@aws-sdk/client-ecr';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EcrClients } from '../../../../lambdas/adapters/ecr/ecr-clients.ts';
import { EcrRepositorySettingsReader } from '../../../../lambdas/adapters/ecr/ecr-repository-settings.ts';
import type { RepositoryKey } from '../../../../lambdas/core/pipeline/model.ts';

const ACCOUNT = '111122223333';
const REPOSITORY: RepositoryKey = { account: ACCOUNT, region: 'eu-central-1', repository: 'team/app' };
const MARKER = 'customs-quarantine-';

const ecr = mockClient(ECRClient);

/** Clients that remember which Region each call asked for. */
function recordingClients(): EcrClients & { readonly regions: string[] } {
  const regions: string[] = [];
  const clients = new Map<string, ECRClient>();
  return {
    regions,
    forRegion(region) {
      regions.push(region);
      let client = clients.get(region);
      if (!client) clients.set(region, (client = new ECRClient({ region })));
      return client;
    },
  };
}

function clock(start = '2026-05-01T10:00:00Z') {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function repositoryAnswer(imageTagMutability: ImageTagMutability | undefined, filters: string[] = [], name = REPOSITORY.repository) {
  return {
    repositories: [
      {
        registryId: ACCOUNT,
        repositoryName: name,
        ...(imageTagMutability ? { imageTagMutability } : {}),
        ...(filters.length ? { imageTagMutabilityExclusionFilters: filters.map((filter) => ({ filterType: 'WILDCARD' as const, filter })) } : {}),
      },
    ],
  };
}

const notFound = () => new LifecyclePolicyNotFoundException({ message: 'Lifecycle policy does not exist for the repository', $metadata: {} });

/** A plain registry: a mutable repository, no lifecycle policy, no pull-through cache, no replication. */
function plainRegistry() {
  ecr.on(DescribeRepositoriesCommand).resolves(repositoryAnswer('MUTABLE'));
  ecr.on(GetLifecyclePolicyCommand).rejects(notFound());
  ecr.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [] });
  ecr.on(DescribeRegistryCommand).resolves({ registryId: ACCOUNT, replicationConfiguration: { rules: [] } });
}

function reader(options: { clients?: EcrClients; clock?: ReturnType<typeof clock> } = {}) {
  return new EcrRepositorySettingsReader({ clients: options.clients ?? recordingClients(), markerPrefix: MARKER, ...(options.clock ? { clock: options.clock } : {}) });
}

const inputs = <T extends Parameters<typeof ecr.commandCalls>[0]>(command: T) => ecr.commandCalls(command).map((call) => call.args[0].input);

beforeEach(() => {
  ecr.reset();
});

afterEach(() => {
  ecr.reset();
});

describe('EcrRepositorySettingsReader: the requests', () => {
  it('asks each API once, in the repository’s Region, naming its account as the registry', async () => {
    plainRegistry();
    const clients = recordingClients();
    expect(await reader({ clients }).settings(REPOSITORY)).toEqual({
      repository: REPOSITORY,
      tagMutability: 'MUTABLE',
      exclusions: [],
      expiringLifecycleRules: [],
      replicatedTo: [],
    });
    expect(new Set(clients.regions)).toEqual(new Set(['eu-central-1']));
    expect(inputs(DescribeRepositoriesCommand)).toEqual([{ registryId: ACCOUNT, repositoryNames: ['team/app'] }]);
    expect(inputs(GetLifecyclePolicyCommand)).toEqual([{ registryId: ACCOUNT, repositoryName: 'team/app' }]);
    expect(inputs(DescribePullThroughCacheRulesCommand)).toEqual([{ registryId: ACCOUNT }]);
    expect(inputs(DescribeRegistryCommand)).toEqual([{}]);
  });

  it('pages through DescribePullThroughCacheRules with nextToken and finds a rule on a later page', async () => {
    plainRegistry();
    ecr
      .on(DescribePullThroughCacheRulesCommand)
      .resolvesOnce({ pullThroughCacheRules: [{ ecrRepositoryPrefix: 'docker-hub', upstreamRegistryUrl: 'registry-1.docker.io' }], nextToken: 'page-2' })
      .resolvesOnce({ pullThroughCacheRules: [{ ecrRepositoryPrefix: 'quay', upstreamRegistryUrl: 'quay.io' }], nextToken: 'page-3' })
      .resolvesOnce({ pullThroughCacheRules: [{ ecrRepositoryPrefix: 'team', upstreamRegistryUrl: 'public.ecr.aws' }] });
    const settings = await reader().settings(REPOSITORY);
    expect(settings.pullThroughCache).toEqual({ prefix: 'team', upstreamRegistryUrl: 'public.ecr.aws' });
    expect(inputs(DescribePullThroughCacheRulesCommand)).toEqual([{ registryId: ACCOUNT }, { registryId: ACCOUNT, nextToken: 'page-2' }, { registryId: ACCOUNT, nextToken: 'page-3' }]);
  });

  it('refuses a nextToken that comes back again instead of looping', async () => {
    plainRegistry();
    ecr.on(DescribePullThroughCacheRulesCommand).resolves({ pullThroughCacheRules: [], nextToken: 'same' });
    await expect(reader().settings(REPOSITORY)).rejects.toThrow('DescribePullThroughCacheRules returned the same nextToken twice');
    expect(inputs(DescribePullThroughCacheRulesCommand)).toHaveLength(2);
  });
});

describe('EcrRepositorySettingsReader: tag mutability', () => {
  it.each([
    ['MUTABLE', []],
    ['IMMUTABLE', []],
    ['IMMUTABLE_WITH_EXCLUSION', ['latest', 'dev-*']],
    ['MUTABLE_WITH_EXCLUSION', ['v*.*.*']],
  ] as const)('reads %s with its exclusion filters %j', async (mode, filters) => {
    plainRegistry();
    ecr.on(DescribeRepositoriesCommand).resolves(repositoryAnswer(mode, [...filters]));
    const settings = await reader().settings(REPOSITORY);
    expect(settings.tagMutability).toBe(mode);
    expect(settings.exclusions).toEqual(filters.map((filter) => ({ filterType: 'WILDCARD', filter })));
  });

  it('refuses a mode it does not know rather than assume one', async () => {
    plainRegistry();
    ecr.on(DescribeRepositoriesCommand).resolves(repositoryAnswer('SOMETIMES' as ImageTagMutability));
    await expect(reader().settings(REPOSITORY)).rejects.toThrow(expect.objectContaining({ code: 'unsupported', message: expect.stringContaining('tag mutability "SOMETIMES"') }));
  });

  it('refuses an answer without a mode, or without the repository', async () => {
    plainRegistry();
    ecr.on(DescribeRepositoriesCommand).resolvesOnce(repositoryAnswer(undefined)).resolvesOnce(repositoryAnswer('MUTABLE', [], 'team/other'));
    await expect(reader().settings(REPOSITORY)).rejects.toThrow('returned no imageTagMutability');
    await expect(reader().settings(REPOSITORY)).rejects.toThrow('did not return the repository');
  });

  it('lets a missing repository and throttling go up', async () => {
    plainRegistry();
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    ecr
      .on(DescribeRepositoriesCommand)
      .rejectsOnce(new RepositoryNotFoundException({ message: 'gone', $metadata: {} }))
      .rejectsOnce(throttled);
    await expect(reader().settings(REPOSITORY)).rejects.toMatchObject({ name: 'RepositoryNotFoundException' });
    await expect(reader().settings(REPOSITORY)).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('EcrRepositorySettingsReader: lifecycle policy', () => {
  it('warns of a rule that expires untagged images and ignores one for other tags', async () => {
    plainRegistry();
    const lifecyclePolicyText = JSON.stringify({
      rules: [
        { rulePriority: 1, description: 'keep 10 releases', selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 10 }, action: { type: 'expire' } },
        { rulePriority: 2, description: 'drop old untagged', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: { type: 'expire' } },
      ],
    });
    ecr.on(GetLifecyclePolicyCommand).resolves({ registryId: ACCOUNT, repositoryName: REPOSITORY.repository, lifecyclePolicyText });
    expect((await reader().settings(REPOSITORY)).expiringLifecycleRules).toEqual([{ priority: 2, description: 'drop old untagged', reason: 'expires untagged images 7 days after push' }]);
  });

  it('names the repository when its policy cannot be read', async () => {
    plainRegistry();
    ecr.on(GetLifecyclePolicyCommand).resolves({ lifecyclePolicyText: '{"rules":[{"rulePriority":1}]}' });
    await expect(reader().settings(REPOSITORY)).rejects.toThrow(
      expect.objectContaining({ code: 'malformed', message: expect.stringMatching(/^ECR repository team\/app \(account 111122223333, eu-central-1\): lifecycle policy is not valid: rules\.0\.selection is required/) }),
    );
  });

  it('lets any other GetLifecyclePolicy failure go up', async () => {
    plainRegistry();
    ecr.on(GetLifecyclePolicyCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    await expect(reader().settings(REPOSITORY)).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });
});

describe('EcrRepositorySettingsReader: pull-through cache', () => {
  const rules = (...prefixes: string[]) => ({ pullThroughCacheRules: prefixes.map((prefix) => ({ ecrRepositoryPrefix: prefix, upstreamRegistryUrl: `${prefix.toLowerCase()}.example` })) });

  it.each([
    ['team/app', ['team'], 'team'],
    ['team/app', ['te', 'tea', 'team/app'], undefined],
    ['production/app', ['prod'], undefined],
    ['ecr-public/library/nginx', ['ecr-public', 'ecr-public/library'], 'ecr-public/library'],
    ['team/app', ['ROOT'], 'ROOT'],
    ['team/app', ['ROOT', 'team'], 'team'],
  ])('%s under rules %j is cached through %s', async (repository, prefixes, expected) => {
    plainRegistry();
    ecr.on(DescribeRepositoriesCommand).resolves(repositoryAnswer('MUTABLE', [], repository));
    ecr.on(DescribePullThroughCacheRulesCommand).resolves(rules(...prefixes));
    const settings = await reader().settings({ ...REPOSITORY, repository });
    expect(settings.pullThroughCache).toEqual(expected ? { prefix: expected, upstreamRegistryUrl: `${expected.toLowerCase()}.example` } : undefined);
  });
});

describe('EcrRepositorySettingsReader: replication', () => {
  const replication = (...rules: { destinations: { region: string; registryId: string }[]; repositoryFilters?: { filter: string; filterType: 'PREFIX_MATCH' }[] }[]) => ({
    registryId: ACCOUNT,
    replicationConfiguration: { rules },
  });
  const ireland = { region: 'eu-west-1', registryId: ACCOUNT };
  const virginiaElsewhere = { region: 'us-east-1', registryId: '444455556666' };
  const prefix = (filter: string) => ({ filter, filterType: 'PREFIX_MATCH' as const });

  it('a rule without filters replicates every repository', async () => {
    plainRegistry();
    ecr.on(DescribeRegistryCommand).resolves(replication({ destinations: [ireland, virginiaElsewhere] }));
    expect((await reader().settings(REPOSITORY)).replicatedTo).toEqual([ireland, virginiaElsewhere]);
  });

  it('a rule with filters replicates the repositories whose names start with one of them', async () => {
    plainRegistry();
    ecr.on(DescribeRegistryCommand).resolves(
      replication(
        { destinations: [ireland], repositoryFilters: [prefix('other'), prefix('team/')] },
        { destinations: [virginiaElsewhere], repositoryFilters: [prefix('payments')] },
        { destinations: [ireland], repositoryFilters: [prefix('team/a')] },
      ),
    );
    expect((await reader().settings(REPOSITORY)).replicatedTo).toEqual([ireland]);
  });

  it('refuses the replication of another account, which DescribeRegistry cannot describe', async () => {
    plainRegistry();
    await expect(reader().settings({ ...REPOSITORY, account: '999988887777' })).rejects.toThrow(
      expect.objectContaining({ code: 'unsupported', message: expect.stringContaining('DescribeRegistry answers for registry "111122223333"') }),
    );
  });
});

describe('EcrRepositorySettingsReader: cache', () => {
  it('answers again from memory for five minutes, then reads again', async () => {
    plainRegistry();
    const time = clock();
    const settingsReader = reader({ clock: time });
    const first = await settingsReader.settings(REPOSITORY);
    time.advance(5 * 60 * 1000 - 1);
    expect(await settingsReader.settings(REPOSITORY)).toEqual(first);
    expect(inputs(DescribeRepositoriesCommand)).toHaveLength(1);
    ecr.on(DescribeRepositoriesCommand).resolves(repositoryAnswer('IMMUTABLE'));
    time.advance(1);
    expect((await settingsReader.settings(REPOSITORY)).tagMutability).toBe('IMMUTABLE');
    expect(inputs(DescribeRepositoriesCommand)).toHaveLength(2);
    expect(inputs(GetLifecyclePolicyCommand)).toHaveLength(2);
    expect(inputs(DescribeRegistryCommand)).toHaveLength(2);
  });

  it('reads a second repository of the same registry without asking for the registry again', async () => {
    plainRegistry();
    ecr.on(DescribeRepositoriesCommand, { repositoryNames: ['team/worker'] }).resolves(repositoryAnswer('IMMUTABLE', [], 'team/worker'));
    const settingsReader = reader({ clock: clock() });
    await settingsReader.settings(REPOSITORY);
    expect((await settingsReader.settings({ ...REPOSITORY, repository: 'team/worker' })).tagMutability).toBe('IMMUTABLE');
    expect(inputs(DescribeRepositoriesCommand)).toEqual([
      { registryId: ACCOUNT, repositoryNames: ['team/app'] },
      { registryId: ACCOUNT, repositoryNames: ['team/worker'] },
    ]);
    expect(inputs(DescribePullThroughCacheRulesCommand)).toHaveLength(1);
    expect(inputs(DescribeRegistryCommand)).toHaveLength(1);
  });

  it('keeps registries of other Regions apart', async () => {
    plainRegistry();
    const clients = recordingClients();
    const settingsReader = reader({ clients, clock: clock() });
    await settingsReader.settings(REPOSITORY);
    await settingsReader.settings({ ...REPOSITORY, region: 'us-west-2' });
    expect(clients.regions).toContain('us-west-2');
    expect(inputs(DescribeRegistryCommand)).toHaveLength(2);
    expect(inputs(DescribeRepositoriesCommand)).toHaveLength(2);
  });

  it('shares one read among concurrent askers', async () => {
    plainRegistry();
    const settingsReader = reader({ clock: clock() });
    const answers = await Promise.all([settingsReader.settings(REPOSITORY), settingsReader.settings(REPOSITORY), settingsReader.settings(REPOSITORY)]);
    expect(answers[1]).toBe(answers[0]);
    expect(inputs(DescribeRepositoriesCommand)).toHaveLength(1);
  });

  it('does not keep a failure: the next ask reads again', async () => {
    plainRegistry();
    ecr
      .on(DescribeRegistryCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ registryId: ACCOUNT, replicationConfiguration: { rules: [{ destinations: [{ region: 'eu-west-1', registryId: ACCOUNT }] }] } });
    const settingsReader = reader({ clock: clock() });
    await expect(settingsReader.settings(REPOSITORY)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect((await settingsReader.settings(REPOSITORY)).replicatedTo).toEqual([{ region: 'eu-west-1', registryId: ACCOUNT }]);
    expect(inputs(DescribeRegistryCommand)).toHaveLength(2);
  });
});
