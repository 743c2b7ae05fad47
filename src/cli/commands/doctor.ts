import type { AnyFactory } from '../../component/types.js';
import { runDoctor } from '../../doctor/run-doctor.js';
import type { Output } from './validate.js';

/** `doctor --config F`: every check with its fix; exit 0 only when all pass. */
export async function doctorCommand(
  configs: readonly string[],
  sets: readonly string[],
  factories: readonly AnyFactory[],
  io: Output,
): Promise<number> {
  if (configs.length === 0) {
    io.err('error: no config given; pass --config FILE (for example --config collector.yaml)');
    return 1;
  }
  const report = await runDoctor(configs, sets, factories);
  for (const line of report.lines) io.out(line);
  return report.ok ? 0 : 1;
}
