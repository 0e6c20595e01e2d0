import type { Command } from 'commander';
import { loadPipelines, type PipelineConfig } from '../../functions/config/load-pipelines';
import { EXIT } from '../exit-codes';
import { printJson, renderTable } from '../output';

/** A one-line summary of what a pipeline does, for people. */
function summary(p: PipelineConfig) {
  const strategy = p.deployment.strategy;
  return {
    name: p.name,
    problemType: p.problemType,
    landingPrefix: p.data.landingPrefix,
    training: `${p.training.image} on ${p.training.instanceCount}x ${p.training.instanceType}`,
    gate: `${p.gate.metric} ${p.gate.direction === 'maximize' ? '↑' : '↓'}${p.gate.minimum === undefined ? '' : ` ≥ ${p.gate.minimum}`}`,
    approval: p.registry.approval,
    deployment: strategy.type,
    evaluation: p.evaluation ? p.evaluation.schedule : 'off',
  };
}

export function registerConfigCommand(program: Command, projectRoot: () => string): void {
  program
    .command('config')
    .description('validate every pipelines/<name>/pipeline.yaml and print what each pipeline will do')
    .option('--json', 'print the validated configurations, with defaults applied, as JSON')
    .action((options: { json?: boolean }) => {
      const pipelines = loadPipelines(projectRoot()); // a PipelineConfigError becomes exit code 2 in mlops.ts
      if (options.json) {
        printJson({ valid: true, pipelines });
      } else {
        const rows = pipelines.map(summary).map((s) => Object.values(s));
        process.stdout.write(`${renderTable(Object.keys(summary(pipelines[0]!)), rows)}\n`);
        process.stdout.write(`${pipelines.length} pipeline(s), all valid.\n`);
      }
      process.exitCode = EXIT.ok;
    });
}
