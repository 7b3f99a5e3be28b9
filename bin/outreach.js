#!/usr/bin/env node
// The CLI: the build in dist/ when it is current, else the TypeScript sources through tsx (bin/entry.js).
import { loadEntry } from './entry.js';

// A closed pipe (`outreach events | head`) is the reader's choice, not an error.
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(0);
  throw e;
});
const { main } = await loadEntry('cli');
process.exitCode = await main(process.argv.slice(2));
