// The scaffolding every operator command shares: arguments (node:util parseArgs), `--help`, the usage on bad
// arguments, and one line `name: message` for an error. Entry points call runCommand and export nothing.
import { parseArgs, type ParseArgsConfig } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;
const HELP = { help: { type: "boolean", short: "h" } } as const;

/** What parseArgs returns for these options (with `help`) and free positionals. */
export type Parsed<O extends Options> = ReturnType<
  typeof parseArgs<{ options: O & typeof HELP; allowPositionals: true }>
>;

/** Bad arguments: printed with the usage, exit 2. An empty message prints the usage alone. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

export interface Command<O extends Options> {
  /** Prefix of the error line, e.g. "episodes" gives "episodes: no episode x". */
  name: string;
  usage: string;
  options: O;
  /** The exit code (0 when nothing is returned). Throw UsageError for bad arguments. */
  run(args: Parsed<O>): Promise<number | void>;
  /**
   * Errors whose message says it all (default: every Error). Any other is printed with its stack: it is a
   * bug, and where it happened is what its reader needs.
   */
  expected?: (err: unknown) => boolean;
  argv?: string[];
}

function usageExit(usage: string, message: string): number {
  console.error(message ? `${message}\n${usage}` : usage);
  return 2;
}

/** Parses, runs and turns the outcome into process.exitCode (also returned, for commands that must exit). */
export async function runCommand<const O extends Options>(command: Command<O>): Promise<number> {
  const code = await outcome(command);
  process.exitCode = code;
  return code;
}

async function outcome<O extends Options>(command: Command<O>): Promise<number> {
  let parsed: Parsed<O>;
  try {
    parsed = parseArgs({
      args: command.argv ?? process.argv.slice(2),
      options: { ...command.options, ...HELP },
      allowPositionals: true,
    }) as Parsed<O>;
  } catch (err) {
    return usageExit(command.usage, (err as Error).message);
  }
  if ((parsed.values as { help?: boolean }).help) {
    console.log(command.usage);
    return 0;
  }
  try {
    return (await command.run(parsed)) ?? 0;
  } catch (err) {
    if (err instanceof UsageError) return usageExit(command.usage, err.message);
    const expected = command.expected ?? ((e: unknown) => e instanceof Error);
    const text = expected(err)
      ? (err as Error).message
      : err instanceof Error
        ? (err.stack ?? err.message)
        : String(err);
    console.error(`${command.name}: ${text}`);
    return 1;
  }
}
