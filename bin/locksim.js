#!/usr/bin/env node
// The `locksim` command: registers tsx's ESM loader so the TypeScript sources
// run as they are, then hands the arguments to sim/cli/main.ts and exits with
// its code (0 ok, 1 an expectation failed, 2 bad input, 3 internal error).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../sim/cli/main.ts');
const code = await main(process.argv.slice(2));
// Let stdout drain before exiting (large --json documents through a pipe).
process.stdout.write('', () => process.exit(code));
