#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npm ci` is the whole set-up: no build step to forget.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
