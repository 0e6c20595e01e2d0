import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import * as z from 'zod';
import { startControlServer } from '../../local/control-server';
import { control, handleFile, writeHandle } from '../local-runtime-handle';
import { startLocalRuntime } from '../../local/runtime';
import { EXIT, UsageError } from '../exit-codes';
import { printJson, renderTable } from '../output';

/** `mlops local up | schedules | fire <schedule>`: run the system on this machine and drive it. */
export function registerLocalCommand(program: Command, projectRoot: () => string): void {
  const local = program
    .command('local')
    .description('run the deployed system on this machine (moto emulator, no AWS account)');

  local
    .command('up')
    .description('synthesize the app, start the emulator, provision cdk.out and deliver events until Ctrl-C')
    .option('--no-synth', 'use the existing cdk.out')
    .action(async (options: { synth: boolean }) => {
      const root = projectRoot();
      if (options.synth) {
        process.stdout.write('synthesizing (npx cdk synth)…\n');
        const synth = spawnSync('npx', ['cdk', 'synth', '--quiet'], { cwd: root, stdio: 'inherit' });
        if (synth.status !== 0) throw new UsageError('cdk synth failed; see above');
      }
      const runtime = await startLocalRuntime({
        projectRoot: root,
        logDirectory: path.join(root, '.local', 'logs'),
        onDelivery: (d) =>
          process.stdout.write(`→ ${d.functionLogicalId} via ${d.via} ${d.source}: ${d.outcome.kind}\n`),
      });
      const controlServer = await startControlServer(runtime);
      writeHandle(root, runtime, controlServer.url);
      runtime.dispatcher.start();
      process.stdout.write(
        `${runtime.report}\n\nLocal runtime ready (account ${runtime.accountId}). In another shell:\n`,
      );
      process.stdout.write(
        `  export AWS_ENDPOINT_URL=${runtime.gateway.endpoint} AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=${runtime.region}\n`,
      );
      process.stdout.write(
        '  npx mlops local schedules        # list schedules\n  npx mlops local fire <schedule>  # fire one now\nCtrl-C stops everything.\n',
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await controlServer.close();
      await runtime.close();
      fs.rmSync(handleFile(root), { force: true });
      process.exitCode = EXIT.ok;
    });

  local
    .command('schedules')
    .description('list the schedules of the running local runtime')
    .option('--json', 'print JSON')
    .action(async (options: { json?: boolean }) => {
      const schedules = z
        .array(z.object({ name: z.string(), scheduleExpression: z.string(), functionLogicalId: z.string() }))
        .parse(await control(projectRoot(), 'GET', '/schedules'));
      if (options.json) printJson(schedules);
      else
        process.stdout.write(
          `${renderTable(
            ['schedule', 'expression', 'function'],
            schedules.map((s) => [s.name, s.scheduleExpression, s.functionLogicalId]),
          )}\n`,
        );
    });

  local
    .command('fire')
    .argument('<schedule>', 'schedule (rule) name, as listed by `mlops local schedules`')
    .description('fire a schedule of the running local runtime now, as EventBridge would at its time')
    .option('--json', 'print JSON')
    .action(async (schedule: string, options: { json?: boolean }) => {
      const outcome = await control(projectRoot(), 'POST', `/schedules/${encodeURIComponent(schedule)}/fire`);
      if (options.json) printJson(outcome);
      else process.stdout.write(`${schedule}: ${JSON.stringify(outcome)}\n`);
      const failed = typeof outcome === 'object' && outcome !== null && 'kind' in outcome && outcome.kind === 'failed';
      process.exitCode = failed ? EXIT.negative : EXIT.ok;
    });
}
