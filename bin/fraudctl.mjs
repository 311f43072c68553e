#!/usr/bin/env node
// Entry point for `npx fraudctl`: loads the TypeScript command line through tsx, so that the CLI runs
// the same sources as the tests and the Lambda bundle, with no build step after `npm ci`.
import { register } from 'tsx/esm/api';

// The SDK's documented switch for its notice that it drops Node 20 in 2027, which would open every run.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Nothing is traced in this process: the X-Ray SDK's manual mode spares every promise its async hook.
if (process.env.POWERTOOLS_TRACE_ENABLED !== 'true') process.env.AWS_XRAY_MANUAL_MODE ??= 'true';
register();
const { main, endQuietlyOnClosedPipe } = await import('./fraudctl.ts');
endQuietlyOnClosedPipe(process.stdout);
process.exitCode = await main(process.argv.slice(2));
