import { ECRClient } from '@aws-sdk/client-ecr';
import { checkedRegion } from './ecr-registry.ts';

/**
 * ECR's API is regional: a registry in eu-central-1 is asked through an eu-central-1 client,
 * whichever Region the Lambda runs in. One client per Region, built on first use and kept for the
 * life of the provider, so a warm Lambda reuses its connections.
 */
export interface EcrClients {
  forRegion(region: string): ECRClient;
}

export interface RegionalEcrClientsOptions {
  /** Builds the client for a Region; tests hand in their own, the Lambda can reuse its home client. */
  readonly create?: (region: string) => ECRClient;
}

export class RegionalEcrClients implements EcrClients {
  private readonly clients = new Map<string, ECRClient>();
  private readonly create: (region: string) => ECRClient;

  constructor(options: RegionalEcrClientsOptions = {}) {
    this.create = options.create ?? ((region) => new ECRClient({ region }));
  }

  forRegion(region: string): ECRClient {
    // The Region comes from an event: refuse anything that is not one before it reaches endpoint resolution.
    const checked = checkedRegion(region);
    let client = this.clients.get(checked);
    if (!client) {
      client = this.create(checked);
      this.clients.set(checked, client);
    }
    return client;
  }
}
