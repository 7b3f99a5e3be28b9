#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so `npm ci` is the whole set-up: no build step to forget.
import { register } from 'tsx/esm/api';

// A closed pipe (`outreach events | head`) is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
