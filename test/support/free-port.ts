export { freeLoopbackPort as freePort } from '../../lambdas/local/local-process.ts';
