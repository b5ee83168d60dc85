/**
 * Command-line manners every bin/ command shares: `--help` (or `-h`) prints the usage and exits 0;
 * an unknown option, a missing value or argument, or an operator's mistake met later (a data
 * folder in use, Java missing, a port taken) is one line on stderr and exit code 2 (usage) or 1
 * (anything else), never a stack trace. A stack trace means a bug in Verity.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { OperatorError } from './data-dir';

/**
 * How the commands were reached: through the package's `verity` command (bin/cli.ts sets this), or
 * as this repository's npm scripts. Names and usage texts follow, so `--help` shows what to type.
 */
export const invocation = { viaVerityCommand: false };

/**
 * `npm start` → `npx verity start`, `npm run keys` → `npx verity keys` (and `npm run keys -- x` →
 * `npx verity keys x`) under the `verity` command: what a package user types, as each message's advice.
 */
export function commandText(text: string): string {
  if (!invocation.viaVerityCommand) return text;
  return text
    .replace(/npm run (keys|listen|evaluate)(?: --(?= ))?/g, 'npx verity $1')
    .replace(/npm start(?: --(?= ))?/g, 'npx verity start');
}

/** Exit code of a command line that cannot be understood (as getopt tools use). */
const USAGE_EXIT = 2;

export interface CommandLine<T extends ParseArgsConfig> {
  /** How the command is run, for messages: `npm run keys` (its help is `npm run keys -- --help`). */
  name: string;
  /** The full usage text `--help` prints. */
  usage: string;
  /** `util.parseArgs` options, without help (added here). */
  config: T;
  args?: string[];
}

/** Parses the command line strictly; answers `--help` and every parse error itself (and exits). */
export function parseCommandLine<T extends ParseArgsConfig>(command: CommandLine<T>): ReturnType<typeof parseArgs<T>> {
  const config = {
    ...command.config,
    args: command.args ?? process.argv.slice(2),
    strict: true,
    options: { ...command.config.options, help: { type: 'boolean', short: 'h' } },
  } as const;
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config) as unknown as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    // Node's parse errors say the option; its advice about positionals is noise here.
    const message = (error as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    return usageError(command, message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(commandText(command.usage));
    process.exit(0);
  }
  return parsed;
}

/** Prints `<name>: <message>` and a pointer to `--help` as one line, and exits 2. */
export function usageError(command: Pick<CommandLine<ParseArgsConfig>, 'name'>, message: string): never {
  const name = commandText(command.name);
  console.error(`${name}: ${commandText(oneLine(message))} (see ${commandText(`${command.name} -- --help`)})`);
  process.exit(USAGE_EXIT);
}

/**
 * Runs a command's body; an OperatorError (or a port already taken) becomes one line and exit 1.
 * Anything else is a bug and keeps its stack trace.
 */
export async function runCommand(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (error instanceof OperatorError || code === 'EADDRINUSE' || code === 'EACCES') {
      console.error(commandText(`${name}: ${oneLine((error as Error).message)}`));
      process.exit(1);
    }
    throw error;
  }
}

const oneLine = (text: string) => text.replace(/\s*\n\s*/g, ' ').trim();
