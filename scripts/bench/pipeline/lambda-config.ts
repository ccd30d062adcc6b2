import { z } from 'zod';

/** What the bench hands the bundled handler through its environment (endpoints, names, the ECR stub). */
export const LAMBDA_CONFIG_ENV = 'CUSTOMS_BENCH_LAMBDA';

export const lambdaConfigSchema = z.object({
  dynamodbEndpoint: z.string().url(),
  motoEndpoint: z.string().url(),
  ecr: z.object({ credentials: z.string(), proxyEndpoint: z.string().url(), tags: z.record(z.string(), z.array(z.string())), pushedAt: z.string() }),
});
export type LambdaConfig = z.infer<typeof lambdaConfigSchema>;

/** What the runner writes back: one entry per invocation, and its own start-up. */
export const runnerResultSchema = z.object({
  initMs: z.number(),
  initCpuMs: z.number(),
  invocations: z.array(z.object({ durationMs: z.number(), cpuMs: z.number(), failures: z.number(), logLines: z.array(z.string()) })),
  initLogLines: z.array(z.string()),
});
export type RunnerResult = z.infer<typeof runnerResultSchema>;
