#!/usr/bin/env node
// Runs the TypeScript CLI from source (tsx), so `npx customs` works straight after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./customs.ts');
