import { ECRClient } from '@aws-sdk/client-ecr';
import { describe, expect, it } from 'vitest';
import { RegionalEcrClients } from '../../../../lambdas/adapters/ecr/ecr-clients.ts';

describe('RegionalEcrClients', () => {
  it("builds one client per Region on first use, each configured for its Region, and reuses it", async () => {
    const clients = new RegionalEcrClients();
    const ireland = clients.forRegion('eu-west-1');
    const virginia = clients.forRegion('us-east-1');
    expect(virginia).not.toBe(ireland);
    expect(clients.forRegion('eu-west-1')).toBe(ireland);
    expect(ireland).toBeInstanceOf(ECRClient);
    expect(await ireland.config.region()).toBe('eu-west-1');
    expect(await virginia.config.region()).toBe('us-east-1');
  });

  it('asks the injected factory once per Region', () => {
    const built: string[] = [];
    const clients = new RegionalEcrClients({
      create: (region) => {
        built.push(region);
        return new ECRClient({ region });
      },
    });
    for (const region of ['eu-west-1', 'us-east-1', 'eu-west-1', 'us-east-1']) clients.forRegion(region);
    expect(built).toEqual(['eu-west-1', 'us-east-1']);
  });

  it.each(['', 'eu-west-1.example.net', 'EU-WEST-1', 'localhost'])('refuses %j as a Region without building a client', (region) => {
    const built: string[] = [];
    const clients = new RegionalEcrClients({ create: (name) => (built.push(name), new ECRClient({ region: name })) });
    expect(() => clients.forRegion(region)).toThrow(expect.objectContaining({ code: 'usage' }));
    expect(built).toEqual([]);
  });
});
