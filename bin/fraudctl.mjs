#!/usr/bin/env node
// Entry point for `npx fraudctl`: loads the TypeScript command line through tsx, so that the CLI runs
// the same sources as the tests and the Lambda bundle, with no build step after `npm ci`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./fraudctl.ts');
process.exitCode = await main(process.argv.slice(2));
