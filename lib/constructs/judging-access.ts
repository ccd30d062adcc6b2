import { ArnFormat, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import type { RepositorySelection } from '../config/customs-config.ts';
import type { S3ObjectRef } from '../../lambdas/core/policy/policy-document.ts';
import { repositoryArns } from './ecr-read-resources.ts';
import { grantQuarantine } from './quarantine-permissions.ts';

/** The environment every function that judges images reads (the scanner, the rescan, the daily pass). */
export const JUDGING_ENVIRONMENT = {
  historyDays: 'HISTORY_RETENTION_DAYS',
  alertsTopic: 'ALERTS_TOPIC_ARN',
  /** The bus name or ARN as configured; absent when events are off. */
  eventBus: 'EVENT_BUS_NAME',
  policyParameter: 'POLICY_PARAMETER_NAME',
  emailImageCap: 'EMAIL_IMAGE_CAP',
} as const;

/** What judging an image needs: the policy, where verdicts and alerts go, VEX documents, quarantine's reach. */
export interface JudgingProps {
  readonly historyDays: number;
  /** Where alerts are published (the topic grants sns:Publish and its key: AlertTopics.grantPublish). */
  readonly alertsTopicArn: string;
  /** `default`, a bus name or a bus ARN; no events without one. */
  readonly eventBus?: string;
  /** The SSM parameter holding the policy document (PolicyParameter.grantRead grants it). */
  readonly policyParameterName: string;
  /** Per-image messages to email per repository and advisory in one evaluation run. */
  readonly emailImageCap: number;
  /** S3 VEX documents the policies name: exactly these are read. */
  readonly vexObjects: readonly S3ObjectRef[];
  /** Where enforce mode may quarantine or release (quarantineScope); no ECR write permission without it. */
  readonly quarantineRepositories?: RepositorySelection;
}

/** The judging settings as JUDGING_ENVIRONMENT names them. */
export function judgingEnvironment(props: JudgingProps): Record<string, string> {
  return {
    [JUDGING_ENVIRONMENT.historyDays]: String(props.historyDays),
    [JUDGING_ENVIRONMENT.alertsTopic]: props.alertsTopicArn,
    ...(props.eventBus !== undefined ? { [JUDGING_ENVIRONMENT.eventBus]: props.eventBus } : {}),
    [JUDGING_ENVIRONMENT.policyParameter]: props.policyParameterName,
    [JUDGING_ENVIRONMENT.emailImageCap]: String(props.emailImageCap),
  };
}

/**
 * Verdict events on the bus and reads of the policies' VEX documents. Publishing alerts and reading
 * the policy are granted by the topic and the parameter (their owners name the role).
 */
export function grantJudging(scope: Construct, role: IRole, props: JudgingProps): void {
  if (props.eventBus !== undefined) {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'PutVerdictEvents', actions: ['events:PutEvents'], resources: [eventBusArn(scope, props.eventBus)] }));
  }
  if (props.vexObjects.length > 0) {
    const stack = Stack.of(scope);
    role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReadVexDocuments',
        actions: ['s3:GetObject'],
        resources: props.vexObjects.map(({ bucket, key }) => stack.formatArn({ service: 's3', region: '', account: '', resource: bucket, resourceName: key, arnFormat: ArnFormat.SLASH_RESOURCE_NAME })),
      }),
    );
  }
}

/**
 * Quarantine and release in `props.quarantineRepositories` (grantQuarantine), plus `imageReads`
 * there (`ReadQuarantineImages`) for a function that does not already read those images. Returns
 * the repositories granted, undefined when enforce mode reaches none (and nothing is granted).
 */
export function grantQuarantining(scope: Construct, role: IRole, props: JudgingProps, imageReads: readonly string[] = []): RepositorySelection | undefined {
  const repositories = props.quarantineRepositories;
  if (repositories === undefined) return undefined;
  grantQuarantine(scope, role, repositories);
  if (imageReads.length > 0) {
    role.addToPrincipalPolicy(new PolicyStatement({ sid: 'ReadQuarantineImages', actions: [...imageReads], resources: repositoryArns(scope, repositories) }));
  }
  return repositories;
}

/** A bus ARN as given, or this account's and region's bus of that name (`default` included). */
export function eventBusArn(scope: Construct, bus: string): string {
  if (bus.startsWith('arn:')) return bus;
  return Stack.of(scope).formatArn({ service: 'events', resource: 'event-bus', resourceName: bus, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
