import { parseArgs } from 'node:util';

export interface CliArgs {
  readonly command: string;
  readonly configs: string[];
  readonly sets: string[];
  readonly rest: string[];
  readonly flags: Record<string, string | boolean | undefined>;
}

export const COMMANDS = [
  'run',
  'validate',
  'components',
  'print-config',
  'doctor',
  'replay',
] as const;

/** Parses `dify-opik-collector [command] --config F... --set k=v...`; `run` is the default command. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      config: { type: 'string', multiple: true, short: 'c' },
      set: { type: 'string', multiple: true },
      mode: { type: 'string' },
      format: { type: 'string' },
      'shutdown-timeout': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
    },
  });
  const [first, ...rest] = positionals;
  const command = first ?? 'run';
  return {
    command,
    configs: values.config ?? [],
    sets: values.set ?? [],
    rest,
    flags: {
      mode: values.mode,
      format: values.format,
      'shutdown-timeout': values['shutdown-timeout'],
      help: values.help,
      version: values.version,
    },
  };
}

export const USAGE = `Usage: dify-opik-collector [command] --config FILE [--config FILE...] [--set key::path=value...]

Commands:
  run            run the pipelines (the default)
  validate       check the config and report every problem at once (exit 1 when invalid)
  components     list the component types this build knows
  print-config   print the resolved config, secrets redacted (--mode unredacted, --format json)
  doctor         check the config, ports, Opik (reachable, key, workspace, OTLP), queue and clock
  replay FILE    re-send a dead-letter file through the config's opik exporter

Options:
  -c, --config FILE        a YAML config; repeat to merge several (maps merge, lists replace)
      --set key::sub=val   override one key after all files are merged
      --shutdown-timeout D how long a graceful shutdown may take (default 30s)
  -h, --help               show this help
`;
