import type { ECRClient } from '@aws-sdk/client-ecr';
import { operationOf, type RequestMeter } from './request-meter.ts';

/**
 * ECR's API for the bench, answered in-process (the loopback registry has no ECR API): a token
 * for the registry stand-in, and DescribeImages from the digests the bench pushed. Written as SDK
 * middleware rather than aws-sdk-client-mock so the same few lines run inside the bundled
 * handler without adding a mocking library to its cold start. ECR API calls are not billed.
 */
export interface EcrStubConfig {
  /** `user:password` of the registry stand-in. */
  readonly credentials: string;
  /** ECR's proxyEndpoint: `http://127.0.0.1:PORT`. */
  readonly proxyEndpoint: string;
  /** Tags of each digest pushed, by digest. */
  readonly tags: Readonly<Record<string, readonly string[]>>;
  readonly pushedAt: string;
}

export function stubEcr(client: ECRClient, config: EcrStubConfig, meter?: RequestMeter): void {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      if (meter) {
        const line = meter.line('ECR', operation);
        line.calls++;
        line.billedRequests++;
      }
      return { output: { $metadata: { httpStatusCode: 200 }, ...answer(operation, args.input as Record<string, unknown>, config) }, response: {} };
    },
    { step: 'initialize', name: 'benchEcrStub', priority: 'low' },
  );
}

function answer(operation: string, input: Record<string, unknown>, config: EcrStubConfig): Record<string, unknown> {
  switch (operation) {
    case 'GetAuthorizationToken':
      return {
        authorizationData: [{ authorizationToken: Buffer.from(config.credentials).toString('base64'), expiresAt: new Date(Date.now() + 12 * 3_600_000), proxyEndpoint: config.proxyEndpoint }],
      };
    case 'DescribeImages': {
      const digest = (input.imageIds as { imageDigest?: string }[] | undefined)?.[0]?.imageDigest ?? '';
      const tags = config.tags[digest];
      if (!tags) throw Object.assign(new Error(`no image ${digest}`), { name: 'ImageNotFoundException', $metadata: { httpStatusCode: 400 } });
      return { imageDetails: [{ imageDigest: digest, imageTags: [...tags], imagePushedAt: new Date(config.pushedAt) }] };
    }
    default:
      throw new Error(`the bench's ECR stub does not answer ${operation}`);
  }
}
