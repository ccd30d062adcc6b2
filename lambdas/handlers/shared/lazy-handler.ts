import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';

/** The logger and metrics a handler's dependencies are built with. */
export interface HandlerTools {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

/** The service name logs and metrics carry, and the metrics' namespace. */
export interface HandlerService {
  readonly serviceName: string;
  readonly namespace: string;
}

/**
 * A Lambda entry point whose logger and metrics live at module scope and
 * whose handler is built on the first invocation (the environment read, the clients and stores
 * made) and kept, so a warm invocation reuses them and what they cache. A build that throws (a bad
 * environment) fails that invocation and is tried again on the next.
 */
export function lazyHandler<E, R>(service: HandlerService, build: (tools: HandlerTools) => LambdaHandler<E, R>): LambdaHandler<E, R> {
  const { serviceName, namespace } = service;
  const tools = { logger: new Logger({ serviceName }), metrics: new Metrics({ namespace, serviceName }) };
  let handler: LambdaHandler<E, R> | undefined;
  return async (event, context) => {
    handler ??= build(tools);
    return handler(event, context);
  };
}
