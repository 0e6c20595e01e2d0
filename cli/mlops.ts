// The `mlops` command line: operator and data-scientist commands. Each command has `--json` for machines and a
// readable default for people; exit codes are in ./exit-codes.ts.
import * as path from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../functions/config/pipeline-config';
import { registerConfigCommand } from './commands/config';
import { registerValidateCommand } from './commands/validate';
import { registerLocalCommand } from './commands/local';
import { registerRunsCommands } from './commands/runs';
import { registerEvaluateCommand } from './commands/evaluate';
import { registerApproveCommand } from './commands/approve';
import { registerRollbackCommand } from './commands/rollback';
import { registerStatusCommand } from './commands/status';
import { EXIT, UsageError } from './exit-codes';

const program = new Command('mlops')
  .description('Serverless MLOps on AWS: pipelines, data contracts, models and deployments')
  .option('-C, --project <dir>', 'project folder that holds pipelines/', path.resolve(import.meta.dirname, '..'))
  .showHelpAfterError()
  .exitOverride();
const projectRoot = () => path.resolve(program.opts<{ project: string }>().project);
registerConfigCommand(program, projectRoot);
registerValidateCommand(program, projectRoot);
registerLocalCommand(program, projectRoot);
registerRunsCommands(program, projectRoot);
registerStatusCommand(program, projectRoot);
registerApproveCommand(program, projectRoot);
registerRollbackCommand(program, projectRoot);
registerEvaluateCommand(program, projectRoot);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end here with code 0; every other commander error is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof ConfigError || error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT.usage;
  } else {
    throw error;
  }
}
