import { ECRClient, type GetAuthorizationTokenCommandOutput } from '@aws-sdk/client-ecr';
import { mockClient, type AwsClientStub } from 'aws-sdk-client-mock';
import { RegionalEcrClients } from '../../lambdas/adapters/ecr/ecr-clients.ts';

/**
 * ECR clients for a few Regions, each mocked on its own, behind a RegionalEcrClients: a test can
 * tell which Region's API a call went to, and which clients the provider built.
 */
export interface RegionalEcrMocks {
  readonly clients: RegionalEcrClients;
  /** The Regions the provider built a client for, in order. */
  readonly created: string[];
  mock(region: string): AwsClientStub<ECRClient>;
  restore(): void;
}

export function regionalEcrMocks(regions: readonly string[]): RegionalEcrMocks {
  const byRegion = new Map(regions.map((region) => {
    const client = new ECRClient({ region });
    return [region, { client, mock: mockClient(client) }] as const;
  }));
  const entry = (region: string): { client: ECRClient; mock: AwsClientStub<ECRClient> } => {
    const found = byRegion.get(region);
    if (!found) throw new Error(`no mocked ECR client for ${region}`);
    return found;
  };
  const created: string[] = [];
  const clients = new RegionalEcrClients({
    create: (region) => {
      created.push(region);
      return entry(region).client;
    },
  });
  return {
    clients,
    created,
    mock: (region) => entry(region).mock,
    restore: () => {
      for (const { mock } of byRegion.values()) mock.restore();
    },
  };
}

/** GetAuthorizationToken's answer: a base64 `AWS:password` for the endpoint given. */
export function authorizationOutput(proxyEndpoint: string, password: string, expiresAt = new Date(Date.now() + 12 * 3600_000)): GetAuthorizationTokenCommandOutput {
  return { $metadata: {}, authorizationData: [{ authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'), expiresAt, proxyEndpoint }] };
}
