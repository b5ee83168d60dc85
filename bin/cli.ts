#!/usr/bin/env node
/**
 * `verity`: the package's command (package.json `bin`). `verity start`, `verity keys …`,
 * `verity listen …` and `verity evaluate …` are this repository's `npm start`, `npm run keys`, `npm run
 * listen` and `npm run evaluate`, the same modules (bin/local.ts, bin/keys.ts, bin/listen.ts, bin/evaluate.ts) with the same options; each
 * has `--help`.
 */
import { invocation } from '../local/cli';

// As a package user types it (npx); `verity` alone works where the package's bin is on PATH.
const USAGE = `Usage: npx verity start [--port N] [--data-dir DIR] [--in-memory]
       npx verity keys create|revoke|profile …
       npx verity listen --forward-to URL …
       npx verity evaluate SAMPLES_DIR [--yes] …
       npx verity --help | npx verity <command> --help

  start    the whole service on this machine: DynamoDB Local (Java 17 or newer), the table, a
           secret key, the Stripe Identity API, the verification pages and the workers
  keys     secret and restricted keys, and an account's public profile
  listen   forward a running Verity's webhook deliveries to a URL, like \`stripe listen\`
  evaluate measure the live checks on your labelled samples in your AWS account: false-accept and
           false-reject rates, fields read, face similarities and suggested thresholds`;

/** Each command's module runs on import and reads its own options from process.argv. */
const COMMANDS: Record<string, () => Promise<unknown>> = {
  start: () => import('./local'),
  keys: () => import('./keys'),
  listen: () => import('./listen'),
  evaluate: () => import('./evaluate'),
};

const [command, ...rest] = process.argv.slice(2);
if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
  console.log(USAGE);
  process.exit(command === undefined ? 2 : 0);
}
const run = COMMANDS[command];
if (!run) {
  console.error(`verity: unknown command "${command}" (see npx verity --help)`);
  process.exit(2);
}
invocation.viaVerityCommand = true;
process.argv.splice(2, process.argv.length - 2, ...rest);
await run();
