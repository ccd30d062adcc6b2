import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import type { CustomsConfigInput } from '../../lib/config/customs-config.ts';
import { parseConfig } from '../../lib/config/customs-config.ts';
import { QUARANTINE_REGISTRY_READS, QUARANTINE_REPOSITORY_READS, QUARANTINE_WRITE_ACTIONS } from '../../lib/constructs/quarantine-permissions.ts';
import { quarantineScope } from '../../lib/constructs/quarantine-scope.ts';
import { nagAcknowledgements } from '../../lib/nag-suppressions.ts';
import { resourcesOfType, synthCustoms, TEST_ENV, type SynthesizedCustoms } from './synth-customs.ts';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };

/** Every policy's statements (the rescan role's quarantine grants: continuous-assessment-template.test.ts). */
const allStatementsOf = ({ template }: SynthesizedCustoms): Statement[] =>
  Object.values(resourcesOfType(template, 'AWS::IAM::Policy')).flatMap((policy) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
/** The scanner role's statements. */
const statementsOf = ({ template }: SynthesizedCustoms): Statement[] =>
  Object.entries(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter(([id]) => id.startsWith('ScannerRoleDefaultPolicy'))
    .flatMap(([, policy]) => (policy.Properties!.PolicyDocument as { Statement: Statement[] }).Statement);
const actionsOf = (statement: Statement): string[] => [statement.Action].flat();
const granting = (synthesized: SynthesizedCustoms, actions: readonly string[]): Statement[] =>
  statementsOf(synthesized).filter((statement) => actionsOf(statement).some((action) => actions.includes(action)));
/** Every action any statement grants, anywhere in the template (all policies, every resource). */
const everyAction = (synthesized: SynthesizedCustoms): string[] => allStatementsOf(synthesized).flatMap(actionsOf);
// The daily pass lists repositories (DescribeRepositories) to enumerate their images in any mode.
const LISTING_SID = 'ListRepositories';
const everyQuarantineCandidate = (synthesized: SynthesizedCustoms): string[] => allStatementsOf(synthesized).filter((statement) => statement.Sid !== LISTING_SID).flatMap(actionsOf);
const arn = (name: string): unknown => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/${name}`]] });
const asList = (resource: unknown): unknown[] => [resource].flat();

const SELECTIVE_WATCH = { names: ['payments/api', 'web'], prefixes: ['team-a/'] };
const WRITES_AND_READS: readonly string[] = [...QUARANTINE_WRITE_ACTIONS, ...QUARANTINE_REPOSITORY_READS, ...QUARANTINE_REGISTRY_READS];

const configurations = {
  defaults: synthCustoms(),
  // audit said explicitly, overrides that never enforce (one inherits audit), and an enforcing override outside the watched set.
  auditOnly: synthCustoms({
    watchedRepositories: SELECTIVE_WATCH,
    policies: {
      default: { mode: 'audit', quarantine: { method: 'archive' } },
      overrides: [
        { repositories: { prefixes: ['team-a/'] }, failOn: 'HIGH' },
        { repositories: { names: ['web'] }, mode: 'audit' },
        { repositories: { prefixes: ['unwatched/'] }, mode: 'enforce' },
      ],
    },
  }),
  enforceDefaultAll: synthCustoms({ policies: { default: { mode: 'enforce' } } }),
  enforceDefaultSelective: synthCustoms({ watchedRepositories: SELECTIVE_WATCH, policies: { default: { mode: 'enforce' } } }),
  enforceTeamA: synthCustoms({ policies: { overrides: [{ repositories: { prefixes: ['team-a/'] }, mode: 'enforce' }] } }),
  // Within the watched set only: a watched name inside team-a/, a watched prefix inside it, nothing from web or other/.
  enforceTeamAWatched: synthCustoms({
    watchedRepositories: { names: ['team-a/api', 'web'], prefixes: ['team-a/x/', 'other/'] },
    policies: { default: { mode: 'audit' }, overrides: [{ repositories: { prefixes: ['team-a/'] }, mode: 'enforce', quarantine: { method: 'archive' } }] },
  }),
} satisfies Record<string, SynthesizedCustoms>;

describe('audit mode: no ECR write permission anywhere', () => {
  for (const name of ['defaults', 'auditOnly'] as const) {
    it(`grants no quarantine action, write or read, in any statement (${name})`, () => {
      const synthesized = configurations[name];
      expect(everyQuarantineCandidate(synthesized).filter((action) => WRITES_AND_READS.includes(action))).toEqual([]);
      // The daily pass's and the findings API's (a backfill's) repository listing, nothing else.
      expect(allStatementsOf(synthesized).filter((statement) => statement.Sid === LISTING_SID).flatMap(actionsOf)).toEqual(['ecr:DescribeRepositories', 'ecr:DescribeRepositories']);
      expect(everyAction(synthesized).filter((action) => /^ecr:(Put|BatchDelete|Update|Delete|Create|Set|Tag|Untag|Replicate|Initiate|Upload|Complete|Start)/.test(action))).toEqual([]);
      expect(synthesized.stack.scanner.quarantineRepositories).toBeUndefined();
    });
  }
});

describe('enforce mode: quarantine on the repositories enforcing policies reach', () => {
  const writesOf = (synthesized: SynthesizedCustoms): Statement[] => granting(synthesized, QUARANTINE_WRITE_ACTIONS);

  it('grants PutImage, BatchDeleteImage and UpdateImageStorageClass in one statement, on repositories only', () => {
    for (const synthesized of [configurations.enforceDefaultAll, configurations.enforceDefaultSelective, configurations.enforceTeamA, configurations.enforceTeamAWatched]) {
      const writes = writesOf(synthesized);
      expect(writes).toHaveLength(1);
      expect(writes[0]).toMatchObject({ Sid: 'QuarantineImages', Effect: 'Allow', Action: [...QUARANTINE_WRITE_ACTIONS] });
      expect(writes[0]!.Condition).toBeUndefined();
      expect(JSON.stringify(writes[0]!.Resource)).not.toMatch(/"\*"/);
    }
  });

  it('with an enforcing default, writes on exactly the watched repositories (the read grant\'s resources)', () => {
    for (const synthesized of [configurations.enforceDefaultAll, configurations.enforceDefaultSelective]) {
      const read = statementsOf(synthesized).find((statement) => statement.Sid === 'ReadWatchedRepositories')!;
      expect(writesOf(synthesized)[0]!.Resource).toEqual(read.Resource);
    }
    expect(writesOf(configurations.enforceDefaultAll)[0]!.Resource).toEqual(arn('*'));
    expect(asList(writesOf(configurations.enforceDefaultSelective)[0]!.Resource)).toEqual([arn('payments/api'), arn('web'), arn('team-a/*')]);
  });

  it('with only a team-a/ override enforcing, writes on team-a/* only, within the watched set', () => {
    expect(writesOf(configurations.enforceTeamA)[0]!.Resource).toEqual(arn('team-a/*'));
    expect(asList(writesOf(configurations.enforceTeamAWatched)[0]!.Resource)).toEqual([arn('team-a/api'), arn('team-a/x/*')]);
  });

  it('reads the repository settings on the same repositories as the writes', () => {
    for (const synthesized of [configurations.enforceDefaultAll, configurations.enforceDefaultSelective, configurations.enforceTeamA, configurations.enforceTeamAWatched]) {
      const reads = granting(synthesized, QUARANTINE_REPOSITORY_READS);
      expect(reads).toEqual([{ Sid: 'ReadQuarantineRepositorySettings', Effect: 'Allow', Action: [...QUARANTINE_REPOSITORY_READS], Resource: writesOf(synthesized)[0]!.Resource }]);
    }
  });

  it('reads the registry-wide settings on * (no resource type in IAM), the only other action on * besides the registry token', () => {
    for (const synthesized of [configurations.enforceDefaultAll, configurations.enforceTeamAWatched]) {
      const onStar = statementsOf(synthesized).filter((statement) => asList(statement.Resource).includes('*'));
      expect(onStar).toEqual([
        { Sid: 'RegistryToken', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
        { Sid: 'ReadQuarantineRegistrySettings', Effect: 'Allow', Action: ['ecr:DescribePullThroughCacheRules', 'ecr:DescribeRegistry'], Resource: '*' },
      ]);
    }
  });
});

describe('cdk-nag with enforce mode', () => {
  for (const name of ['enforceDefaultAll', 'enforceDefaultSelective', 'enforceTeamA', 'enforceTeamAWatched'] as const) {
    it(`finds nothing unacknowledged (${name})`, () => {
      const { stack } = configurations[name];
      for (const pack of [new AwsSolutionsChecks(stack), new ServerlessChecks(stack)]) {
        const report = pack.validateScope(stack);
        expect(report.violations.flatMap((violation) => violation.violatingResources.map((resource) => `${violation.ruleName} at ${resource.constructPath ?? resource.resourceLogicalId}`))).toEqual([]);
      }
    });
  }

  it('says why each * and repository pattern is there: the registry reads on *, quarantine on the enforced patterns', () => {
    const reasonsOf = (synthesized: SynthesizedCustoms): Record<string, string> =>
      Object.fromEntries(
        nagAcknowledgements(synthesized.stack)
          .filter(({ resource, id }) => resource.node.path.startsWith(`${synthesized.stack.node.path}/Scanner/`) && id.startsWith('AwsSolutions-IAM5[Resource::'))
          .map(({ id, reason }) => [id, reason]),
      );
    const pattern = (name: string): string => `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecr:${TEST_ENV.region}:${TEST_ENV.account}:repository/${name}]`;

    const audit = reasonsOf(configurations.defaults);
    expect(audit['AwsSolutions-IAM5[Resource::*]']).not.toMatch(/DescribeRegistry/);
    expect(audit[pattern('*')]).not.toMatch(/quarantine/);

    const teamA = reasonsOf(configurations.enforceTeamA);
    expect(teamA['AwsSolutions-IAM5[Resource::*]']).toMatch(/ecr:DescribePullThroughCacheRules and ecr:DescribeRegistry/);
    expect(teamA[pattern('*')]).toMatch(/^ECR reads on the watched repositories only/);
    expect(teamA[pattern('team-a/*')]).toMatch(/^ECR quarantine \(PutImage, BatchDeleteImage, UpdateImageStorageClass/);

    const both = reasonsOf(configurations.enforceDefaultSelective);
    expect(both[pattern('team-a/*')]).toMatch(/^ECR reads on the watched repositories, and ECR quarantine/);
    // Exact names are no wildcard: nothing to acknowledge for them.
    expect(both[pattern('web')]).toBeUndefined();
  });
});

describe('quarantineScope', () => {
  const scopeOf = (input: CustomsConfigInput): ReturnType<typeof quarantineScope> => {
    const config = parseConfig(input);
    return quarantineScope(config.policies, config.watchedRepositories);
  };

  it('is nothing without an enforcing entry that reaches a watched repository', () => {
    expect(scopeOf({})).toBeUndefined();
    expect(scopeOf({ watchedRepositories: { names: ['web'] }, policies: { overrides: [{ repositories: { names: ['api'], prefixes: ['team-'] }, mode: 'enforce' }] } })).toBeUndefined();
  });

  it('is every watched repository when the default enforces, whatever the audit overrides say', () => {
    expect(scopeOf({ policies: { default: { mode: 'enforce' }, overrides: [{ repositories: { names: ['web'] }, mode: 'audit' }] } })).toBe('all');
    expect(scopeOf({ watchedRepositories: SELECTIVE_WATCH, policies: { default: { mode: 'enforce' } } })).toEqual(SELECTIVE_WATCH);
  });

  it('an override without mode takes the default', () => {
    expect(scopeOf({ policies: { overrides: [{ repositories: { names: ['web'] }, failOn: 'HIGH' }] } })).toBeUndefined();
    expect(scopeOf({ policies: { default: { mode: 'enforce' }, overrides: [{ repositories: { names: ['web'] }, failOn: 'HIGH' }] } })).toBe('all');
  });

  it('intersects enforcing names and prefixes with the watched ones, the narrower of two nested prefixes kept', () => {
    const scope = scopeOf({
      watchedRepositories: { names: ['team-a/api', 'web', 'lone'], prefixes: ['team-', 'apps/'] },
      policies: {
        overrides: [
          { repositories: { names: ['web', 'apps/shop', 'other'], prefixes: ['team-a/', 'apps/billing/'] }, mode: 'enforce' },
          { repositories: { names: ['lone'] }, mode: 'audit' },
        ],
      },
    });
    // web watched by name; apps/shop inside apps/; other unwatched; team-a/ inside team- (team-a/api then redundant); apps/billing/ inside apps/.
    expect(scope).toEqual({ names: ['web', 'apps/shop'], prefixes: ['team-a/', 'apps/billing/'] });
  });

  it('keeps a watched prefix narrower than the enforcing one, and drops a prefix a shorter one covers', () => {
    expect(
      scopeOf({
        watchedRepositories: { prefixes: ['team-a/x/', 'team-a/y/'] },
        policies: { overrides: [{ repositories: { prefixes: ['team-a/', 'team-a/x/deep/'] }, mode: 'enforce' }] },
      }),
    ).toEqual({ names: [], prefixes: ['team-a/x/', 'team-a/y/'] });
  });
});
