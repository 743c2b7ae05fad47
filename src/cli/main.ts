#!/usr/bin/env node
import { loadBuiltinFactories, loadFactoriesFor } from '../components.js';
import { collectorVersion } from '../service/version.js';
import { type CliArgs, COMMANDS, parseCliArgs, USAGE } from './args.js';
import { runCommand } from './commands/run.js';
import { type Output, validateCommand } from './commands/validate.js';

const io: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function dispatch(args: CliArgs): Promise<number> {
  if (args.flags.help) {
    io.out(USAGE);
    return 0;
  }
  if (args.flags.version) {
    io.out(collectorVersion());
    return 0;
  }
  // A command that reads a configuration loads the factories of the types it names only.
  const factories = () => loadFactoriesFor(args.configs, args.sets);
  switch (args.command) {
    case 'run':
      return runCommand(
        args.configs,
        args.sets,
        args.flags['shutdown-timeout'] as string | undefined,
        await factories(),
        io,
      );
    case 'validate':
      return validateCommand(args.configs, args.sets, await factories(), io);
    // The other commands are loaded when used, so that `run` does not carry their modules
    // (`doctor` loads SQLite, for one).
    case 'components':
      return (await import('./commands/components.js')).componentsCommand(
        await loadBuiltinFactories(),
        collectorVersion(),
        io,
      );
    case 'print-config':
      return (await import('./commands/print-config.js')).printConfigCommand(
        args.configs,
        args.sets,
        {
          mode: args.flags.mode as string | undefined,
          format: args.flags.format as string | undefined,
        },
        await factories(),
        io,
      );
    case 'doctor':
      return (await import('./commands/doctor.js')).doctorCommand(
        args.configs,
        args.sets,
        await factories(),
        io,
      );
    case 'replay':
      return (await import('./commands/replay.js')).replayCommand(
        args.rest[0],
        args.configs,
        args.sets,
        await factories(),
        io,
      );
    default:
      io.err(
        `error: unknown command "${args.command}"; commands: ${COMMANDS.join(', ')}\n\n${USAGE}`,
      );
      return 1;
  }
}

/** The only place that exits the process: everything below returns an exit code. */
async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseCliArgs(process.argv.slice(2));
  } catch (err) {
    io.err(`error: ${(err as Error).message}\n\n${USAGE}`);
    process.exit(1);
  }
  const code = await dispatch(args);
  // Let stdout/stderr drain before exiting.
  process.exitCode = code;
  setImmediate(() => process.exit(code));
}

await main();
