import { readMatchingEnvironment, type MatchingEnvironment } from '../shared/judging-environment.ts';

/**
 * The rescan Lambda's configuration, from the environment the CDK construct sets
 * (lib/constructs/rescan-pipeline.ts, RESCAN_ENVIRONMENT): the scanner's variables, so it judges
 * and gates exactly as the scanner does. A missing or bad value fails the cold start naming it.
 */
export type RescanEnvironment = MatchingEnvironment;

export function readRescanEnvironment(env: NodeJS.ProcessEnv): RescanEnvironment {
  return readMatchingEnvironment(env, 'rescan');
}
