#!/usr/bin/env node
// Launcher of the `mlops` CLI: runs the TypeScript sources through tsx, so a clone works after `npm ci`.
import { register } from 'tsx/esm/api';

register();
await import('./mlops.ts');
