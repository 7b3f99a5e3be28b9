#!/usr/bin/env node
// The demo: the build in dist/ when it is current, else the TypeScript sources through tsx (bin/entry.js).
import { loadEntry } from './entry.js';

const { main } = await loadEntry('demo');
process.exitCode = await main(process.argv.slice(2));
