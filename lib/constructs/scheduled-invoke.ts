import { Stack } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule } from 'aws-cdk-lib/aws-scheduler';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { customsQueue } from './customs-queues.ts';

/**
 * The two queues of a scheduled asynchronous invoke: the schedule's DLQ (ticks Scheduler could not
 * deliver) and Lambda's on-failure destination (runs that failed after Lambda's own retries).
 * Made before the function, which names the failure queue as its destination.
 */
export interface ScheduleQueues {
  readonly scheduleDeadLetterQueue: Queue;
  readonly failureQueue: Queue;
}

export function scheduleQueues(scope: Construct, encryptionKey: IKey | undefined): ScheduleQueues {
  return {
    scheduleDeadLetterQueue: customsQueue(scope, 'ScheduleDeadLetterQueue', encryptionKey),
    failureQueue: customsQueue(scope, 'FailureQueue', encryptionKey),
  };
}

export interface ScheduledInvokeProps {
  /** The function invoked (asynchronously: Scheduler's Lambda target). */
  readonly target: IFunction;
  readonly deadLetterQueue: Queue;
  /** The schedule's description. */
  readonly description: string;
  /** The scheduler role's description. */
  readonly roleDescription: string;
  /** The Sid of the role's lambda:InvokeFunction statement. */
  readonly invokeSid: string;
  /** An EventBridge Scheduler cron or rate expression. */
  readonly expression: string;
  /** The expression's time zone; Scheduler's default (UTC) without one. */
  readonly timezone?: string;
  /** What the schedule sends (the handler tells a scheduled run by it). */
  readonly input: object;
  /** Scheduler retries only a refused invoke (throttled, a service error): an asynchronous invoke succeeds once queued. */
  readonly retryPolicy: { readonly maximumRetryAttempts: number; readonly maximumEventAgeInSeconds: number };
}

export interface ScheduledInvoke {
  readonly schedule: CfnSchedule;
  /** The role EventBridge Scheduler assumes: lambda:InvokeFunction on the target only. */
  readonly role: Role;
}

/**
 * An EventBridge Scheduler schedule (`Schedule`) invoking one function, as a role (`SchedulerRole`)
 * that only this account's Scheduler may assume and that may invoke only that function and write
 * only to the schedule's DLQ (and, with a customer-managed key, encrypt to it). Both are made in
 * `scope` itself, so their logical IDs are the owner's.
 */
export function scheduledInvoke(scope: Construct, props: ScheduledInvokeProps): ScheduledInvoke {
  const role = schedulerRole(scope, props);
  const schedule = new CfnSchedule(scope, 'Schedule', {
    description: props.description,
    scheduleExpression: props.expression,
    ...(props.timezone !== undefined ? { scheduleExpressionTimezone: props.timezone } : {}),
    flexibleTimeWindow: { mode: 'OFF' },
    state: 'ENABLED',
    target: {
      arn: props.target.functionArn,
      roleArn: role.roleArn,
      input: JSON.stringify(props.input),
      retryPolicy: { ...props.retryPolicy },
      deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
    },
  });
  return { schedule, role };
}

function schedulerRole(scope: Construct, props: ScheduledInvokeProps): Role {
  const stack = Stack.of(scope);
  const role = new Role(scope, 'SchedulerRole', {
    description: props.roleDescription,
    assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
      conditions: {
        StringEquals: {
          'aws:SourceAccount': stack.account,
          // The schedule's own ARN would make the role depend on the schedule that depends on it.
          'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
        },
      },
    }),
  });
  role.addToPolicy(new PolicyStatement({ sid: props.invokeSid, actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }));
  role.addToPolicy(new PolicyStatement({ sid: 'ScheduleDeadLetters', actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }));
  // With a customer-managed key, Scheduler sends what it dead-letters with the role's own rights, so
  // SQS asks the key for a data key as this role (the key policy trusts the account's IAM policies).
  const key = props.deadLetterQueue.encryptionMasterKey;
  if (key) role.addToPolicy(new PolicyStatement({ sid: 'EncryptScheduleDeadLetters', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [key.keyArn] }));
  return role;
}
