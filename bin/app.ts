#!/usr/bin/env node
// CDK app entry (cdk.json points here). Settings come from the `customs` context (see lib/config/).
import { createCustomsApp } from '../lib/customs-app.ts';

createCustomsApp().app.synth();
