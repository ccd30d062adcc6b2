import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { createDailyClients, createDailySteps } from './daily-review/daily-deps.ts';
import { readDailyEnvironment } from './daily-review/daily-environment.ts';
import { createDailyHandler, type DailyHandler } from './daily-review/daily-handler.ts';
import type { DailyStep } from './daily-review/run-steps.ts';

/**
 * The daily pass Lambda, invoked by an EventBridge Scheduler schedule: the enumeration of watched
 * images (lost events, tags, deletions), the review of stored verdicts, the rate-limited re-index
 * and the retention count. Logger and metrics at module scope; clients and stores built on the
 * first invocation from the environment and kept while warm.
 */
const logger = new Logger({ serviceName: 'customs-daily-review' });
const metrics = new Metrics({ namespace: 'Customs', serviceName: 'customs-daily-review' });
let steps: readonly DailyStep<unknown>[] | undefined;

const daily: DailyHandler = createDailyHandler({
  steps: () => {
    if (!steps) {
      const env = readDailyEnvironment(process.env);
      steps = createDailySteps({ env, clients: createDailyClients(env.region) });
    }
    return steps;
  },
  logger,
  metrics,
  clock: { now: () => new Date() },
});

export const handler = (event: unknown, context: Context): ReturnType<DailyHandler> => daily(event, context);
