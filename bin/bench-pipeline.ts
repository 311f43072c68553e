/**
 * End-to-end throughput of the local stage (`npm run bench -- pipeline` runs only this): the default
 * workload streamed through the synthesized stacks on the stand-ins, as `npm start` does, with every
 * function's IAM policies enforced. CPU per transfer is the whole process's (stand-ins and containers
 * included), so it says what the local run costs, not what Lambda would.
 */
import { DEFAULT_DEMO_SEED, DEFAULT_DEMO_TRANSFERS, runDemo } from '#local/demo.ts';

export async function benchPipeline(transfers = DEFAULT_DEMO_TRANSFERS): Promise<void> {
  const cpuBefore = process.cpuUsage();
  const summary = await runDemo({ transfers, seed: DEFAULT_DEMO_SEED, pipeline: { handlerLogLevel: 'SILENT' } });
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMsPerTransfer = (cpu.user + cpu.system) / 1000 / summary.screened;
  process.stdout.write(
    `\nend to end on the local stage (default workload, seed ${DEFAULT_DEMO_SEED}, IAM enforced):\n` +
      `  ${summary.screened.toLocaleString('en-US')} transfers in ${summary.elapsedSeconds.toFixed(1)} s = ${Math.round(summary.throughputPerSec)} transfers/s` +
      ` (enqueued to decided p50 ${Math.round(summary.latencyMs.p50)} ms, p99 ${Math.round(summary.latencyMs.p99)} ms;` +
      ` ${cpuMsPerTransfer.toFixed(1)} ms of CPU per transfer, whole process)\n`,
  );
}
