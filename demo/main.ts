/**
 * `npm run demo`: the whole lifecycle of the churn pipeline on this machine, checked step by step.
 *
 *   npm run demo               play every scenario, print the summary, stop everything, exit 0 (1 if a step failed)
 *   npm run demo -- --keep     then keep the runtime up until Ctrl-C, for `npx mlops … --local` in another shell
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { handleFile } from '../cli/local-runtime-handle';
import { startDemo, type StartedDemo } from './demo-context';
import { playScenario } from './play-scenario';
import { DemoExpectationError, ProgressReporter, seconds } from './progress';
import { DEMO_SCENARIOS } from './scenario-list';
import { printSummary } from './summary';

// The SDK's notice that its 2027 releases need Node 22 (README: Node 20.19 runs this project) would split the
// progress output; the SDK reads this variable when the first client is created.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
const projectRoot = path.resolve(import.meta.dirname, '..');
const keep = process.argv.includes('--keep');
const progress = new ProgressReporter();
const started = performance.now();
let demo: StartedDemo | undefined;
let stopping = false;

/**
 * Ctrl-C or a terminating signal: stop what was started (serving and training processes, moto, temporary files), then
 * exit. moto is gone already (its reaper kills it on the signal), so the work in flight fails from here on; that
 * noise means nothing, and only the outcome of the cleanup is reported.
 */
async function stop(signal: NodeJS.Signals): Promise<void> {
  if (stopping) process.exit(130); // a second Ctrl-C: out now
  stopping = true;
  const writeError = process.stderr.write.bind(process.stderr);
  process.stdout.write(`\n${signal}: stopping everything the demo started…\n`);
  progress.mute();
  process.stderr.write = () => true;
  const failed = await demo?.close().then(
    () => undefined,
    (error: unknown) => error,
  );
  removeHandle();
  if (failed !== undefined) writeError(`cleanup: ${failed instanceof Error ? failed.message : 'failed'}\n`);
  process.exit(signal === 'SIGINT' ? 130 : 143);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, (s) => void stop(s));

let ownsHandle = false;
function removeHandle(): void {
  if (ownsHandle) fs.rmSync(handleFile(projectRoot), { force: true });
}

progress.line(progress.style('bold', 'serverless-mlops demo: the churn pipeline on this machine (no AWS account)'));
progress.line(
  progress.style(
    'dim',
    'Every step checks what the system recorded. Commands marked ▸ work while the runtime runs: npm run demo -- --keep',
  ),
);
let exitCode = 0;
try {
  progress.section('Setup');
  demo = await startDemo({
    projectRoot,
    progress,
    ...(process.env['SLACK_WEBHOOK_URL'] === undefined ? {} : { slackWebhookUrl: process.env['SLACK_WEBHOOK_URL'] }),
  });
  for (const scenario of DEMO_SCENARIOS) await playScenario(demo.context, scenario);
  await printSummary(demo.context, performance.now() - started);
  if (keep) await keepRunning(demo);
} catch (error) {
  exitCode = 1;
  if (!stopping) {
    if (!(error instanceof DemoExpectationError)) {
      process.stderr.write(`\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    progress.line(progress.style('red', '\nThe demo stopped: a step did not behave as described (see above).'));
  }
} finally {
  if (!stopping) {
    await demo?.close().catch((error: unknown) => {
      exitCode = 1;
      process.stderr.write(
        `${error instanceof AggregateError ? error.errors.map(String).join('\n') : String(error)}\n`,
      );
    });
    removeHandle();
  }
}
if (stopping) await new Promise<never>(() => undefined); // the signal handler exits when its cleanup is done
progress.line(
  progress.style('dim', `\nDone in ${seconds(performance.now() - started)}; everything it started is stopped.`),
);
process.exit(exitCode);

/** Announces the runtime in `.local/runtime.json` (unless another one is there) and waits for Ctrl-C. */
async function keepRunning(running: StartedDemo): Promise<void> {
  const file = handleFile(projectRoot);
  if (fs.existsSync(file)) {
    progress.line(`\n${file} exists (is \`npm run local\` running?); not keeping the demo's runtime up.`);
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.copyFileSync(path.join(running.context.cliProject, '.local', 'runtime.json'), file);
  ownsHandle = true;
  progress.line(`\nThe runtime keeps running. In another shell, for example:`);
  for (const command of ['status churn', 'runs churn', 'lineage churn 1'])
    progress.line(`  npx mlops ${command} --local`);
  progress.line(
    `  export ${Object.entries(running.context.runtime.env)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}`,
  );
  progress.line('Ctrl-C stops everything.');
  running.context.runtime.dispatcher.start();
  await new Promise<never>(() => undefined); // the signal handler ends the process
}
