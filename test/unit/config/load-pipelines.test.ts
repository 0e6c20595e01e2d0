import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadPipelines, PipelineConfigError } from '../../../functions/config/load-pipelines';
import { LIFECYCLE_EVENTS } from '../../../functions/config/pipeline-config';

/** The smallest valid data contract (ODCS 3.1.0): contracts are compiled while pipelines load. */
const CONTRACT = [
  'apiVersion: v3.1.0',
  'kind: DataContract',
  'id: test',
  'version: 1.0.0',
  'status: active',
  'schema:',
  '  - name: rows',
  '    properties:',
  '      - name: id',
  '        logicalType: integer',
  '',
].join('\n');

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

/** A valid pipeline.yaml whose data lands under `prefix`; `extra` is appended (top-level keys or deployment keys). */
const pipelineYaml = (prefix: string, extra = ''): string => `problemType: binary
target: churned
data:
  landingPrefix: ${prefix}
training:
  image: xgboost
  instanceType: ml.m5.large
  metricDefinitions:
    - name: validation:auc
      regex: 'validation-auc:([0-9.]+)'
gate:
  metric: validation:auc
  direction: maximize
deployment:
  instanceType: ml.m5.large
${extra}`;

const roots: string[] = [];

/** A temporary project root holding `files` (path relative to the root -> content). */
function fixture(files: Record<string, string>, folders: readonly string[] = []): string {
  const root = mkdtempSync(path.join(tmpdir(), 'load-pipelines-'));
  roots.push(root);
  mkdirSync(path.join(root, 'pipelines'));
  for (const folder of folders) mkdirSync(path.join(root, folder), { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  }
  return root;
}

afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** The error loading `root` throws; fails the test if it does not throw one. */
function rejection(root: string, pipelinesDir?: string): PipelineConfigError {
  try {
    loadPipelines(root, pipelinesDir);
  } catch (error) {
    if (error instanceof PipelineConfigError) return error;
    throw error;
  }
  throw new Error('expected the pipelines to be rejected, but they were accepted');
}

describe('loadPipelines', () => {
  it('loads the churn example with every default applied', () => {
    const churn = loadPipelines(PROJECT_ROOT).find((pipeline) => pipeline.name === 'churn');
    expect(churn).toEqual({
      name: 'churn',
      description: 'Predicts which customers will cancel their subscription within 30 days.',
      owner: 'customer-analytics',
      tags: {},
      problemType: 'binary',
      target: 'churned',
      data: { landingPrefix: 'churn/incoming/', contract: 'contract.yaml', maxObjectSizeBytes: 1073741824 },
      training: {
        image: 'xgboost',
        imageVersion: '1.7-1',
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        volumeSizeGb: 30,
        maxRuntimeSeconds: 3600,
        spot: { enabled: true, maxWaitSeconds: 7200 },
        hyperparameters: { objective: 'binary:logistic', num_round: '200', max_depth: '5', eta: '0.2' },
        metricDefinitions: [
          { name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' },
          { name: 'validation:logloss', regex: 'validation-logloss:([0-9.]+)' },
        ],
        window: { lastDatasets: 5 },
        validation: { split: 0.2 },
        debounceSeconds: 0,
        local: { command: ['npx', 'tsx', 'pipelines/churn/local/train.ts'] },
      },
      gate: {
        metric: 'validation:auc',
        direction: 'maximize',
        liveMetric: 'roc_auc',
        minimum: 0.7,
        minImprovement: 0.005,
        guards: [{ metric: 'validation:logloss', maximum: 0.6 }],
      },
      registry: { approval: 'auto', modelPackageGroupName: 'churn' },
      deployment: {
        endpointName: 'churn',
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        dataCapture: { samplingPercentage: 100 },
        strategy: {
          type: 'canary',
          canaryPercent: 10,
          waitSeconds: 300,
          terminationWaitSeconds: 300,
          maximumExecutionTimeoutSeconds: 3600,
        },
        alarms: { modelLatencyP99Ms: 500, invocation5xxPercent: 1 },
        keepPrevious: 3,
        local: { command: ['npx', 'tsx', 'pipelines/churn/local/serve.ts'] },
      },
      evaluation: {
        schedule: 'rate(1 hour)',
        windowHours: 24,
        labelLagHours: 1,
        minSamples: 200,
        threshold: 0.5,
        degradation: { metric: 'roc_auc', minimum: 0.7, consecutiveWindows: 3 },
        drift: { psiThreshold: 0.2, consecutiveWindows: 2 },
        onDegradation: 'retrain',
        onDrift: 'notify',
      },
      notifications: { events: [...LIFECYCLE_EVENTS], mention: '<!subteam^S0123ONCALL>' },
    });
  });

  it('returns pipelines sorted by name and skips folders starting with "."', () => {
    const root = fixture(
      {
        'pipelines/zeta/pipeline.yaml': pipelineYaml('zeta/'),
        'pipelines/zeta/contract.yaml': CONTRACT,
        'pipelines/alpha/pipeline.yaml': pipelineYaml('alpha/'),
        'pipelines/alpha/contract.yaml': CONTRACT,
        'pipelines/README.md': 'not a pipeline\n',
      },
      ['pipelines/.cache'],
    );
    expect(loadPipelines(root).map((pipeline) => pipeline.name)).toEqual(['alpha', 'zeta']);
  });

  it('fails if the contract file is missing', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/').replace(
        '  landingPrefix: churn/',
        '  landingPrefix: churn/\n  contract: schema.yaml',
      ),
    });
    expect(rejection(root).message).toBe(
      'pipelines/churn/pipeline.yaml: data.contract: expected a file next to pipeline.yaml, got "schema.yaml" (not found) (line 5)',
    );
  });

  it('fails, naming the contract file and the path in it, if the data contract is broken', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/'),
      'pipelines/churn/contract.yaml': CONTRACT.replace('logicalType: integer', 'logicalType: integr'),
    });
    const problems = rejection(root).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: 'pipelines/churn/contract.yaml',
      path: 'schema[0].properties[0].logicalType',
    });
    expect(problems[0]?.message).toMatch(/^expected one of .*integer.*, got "integr"/);
  });

  it('fails if the default contract.yaml is missing, without a line', () => {
    const root = fixture({ 'pipelines/churn/pipeline.yaml': pipelineYaml('churn/') });
    expect(rejection(root).problems).toEqual([
      {
        file: 'pipelines/churn/pipeline.yaml',
        path: 'data.contract',
        message: 'expected a file next to pipeline.yaml, got "contract.yaml" (not found)',
      },
    ]);
  });

  it('fails if two pipelines have overlapping landing prefixes', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/'),
      'pipelines/churn/contract.yaml': CONTRACT,
      'pipelines/churn-eu/pipeline.yaml': pipelineYaml('churn/eu/'),
      'pipelines/churn-eu/contract.yaml': CONTRACT,
    });
    expect(rejection(root).message).toBe(
      'pipelines/churn-eu/pipeline.yaml: data.landingPrefix: expected a prefix that does not overlap another pipeline\'s, got "churn/eu/" (overlaps "churn/" in pipelines/churn/pipeline.yaml) (line 4)',
    );
  });

  it('fails if two pipelines share an endpoint name or a model package group name', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/'),
      'pipelines/churn/contract.yaml': CONTRACT,
      'pipelines/churn-v2/pipeline.yaml': pipelineYaml(
        'churn-v2/',
        '  endpointName: Churn\nregistry:\n  modelPackageGroupName: churn\n',
      ),
      'pipelines/churn-v2/contract.yaml': CONTRACT,
    });
    expect(rejection(root).message.split('\n')).toEqual([
      'pipelines/churn-v2/pipeline.yaml: deployment.endpointName: expected an endpoint name no other pipeline uses, got "Churn" (also pipelines/churn/pipeline.yaml) (line 16)',
      'pipelines/churn-v2/pipeline.yaml: registry.modelPackageGroupName: expected a model package group name no other pipeline uses, got "churn" (also pipelines/churn/pipeline.yaml) (line 18)',
    ]);
  });

  it('fails if there is no pipeline folder', () => {
    expect(rejection(fixture({})).message).toBe(
      'pipelines/: expected at least one pipeline folder with a pipeline.yaml, found none',
    );
    expect(rejection(fixture({}), 'missing').message).toBe(
      'missing/: expected at least one pipeline folder with a pipeline.yaml, found none',
    );
  });

  it('fails on a folder without pipeline.yaml', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/'),
      'pipelines/churn/contract.yaml': CONTRACT,
      'pipelines/fraud/pipeline.yml': pipelineYaml('fraud/'),
      'pipelines/shared/notes.txt': 'helpers\n',
    });
    expect(rejection(root).message.split('\n')).toEqual([
      'pipelines/fraud/: expected a pipeline.yaml in every pipeline folder, found pipeline.yml (rename it)',
      'pipelines/shared/: expected a pipeline.yaml in every pipeline folder, found none',
    ]);
  });

  it('reports a YAML syntax error with its file and line', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml('churn/').replace('  direction: maximize', '\tdirection: maximize'),
      'pipelines/churn/contract.yaml': CONTRACT,
    });
    expect(rejection(root).problems).toEqual([
      {
        file: 'pipelines/churn/pipeline.yaml',
        path: '',
        message: 'invalid YAML: Tabs are not allowed as indentation',
        line: 13,
      },
    ]);
  });

  it('reports a key given twice with its file and line', () => {
    const root = fixture({
      'pipelines/churn/pipeline.yaml': pipelineYaml(
        'churn/',
        'gate:\n  metric: validation:auc\n  direction: minimize\n',
      ),
      'pipelines/churn/contract.yaml': CONTRACT,
    });
    expect(rejection(root).message).toBe('pipelines/churn/pipeline.yaml: invalid YAML: duplicate key "gate" (line 16)');
  });

  it('collects the problems of every file into one error', () => {
    const root = fixture({
      'pipelines/alpha/pipeline.yaml': pipelineYaml('alpha/').replace(
        'ml.m5.large\n  metricDefinitions',
        'm5.large\n  metricDefinitions',
      ),
      'pipelines/alpha/contract.yaml': CONTRACT,
      'pipelines/beta/pipeline.yaml': pipelineYaml('beta/', 'evaluation:\n  schedule: every hour\n'),
      'pipelines/beta/contract.yaml': CONTRACT,
      'pipelines/Bad_Name/pipeline.yaml': pipelineYaml('bad/'),
      'pipelines/Bad_Name/contract.yaml': CONTRACT,
    });
    const error = rejection(root);
    expect(error.name).toBe('PipelineConfigError');
    expect(error.problems).toEqual([
      {
        file: 'pipelines/Bad_Name/pipeline.yaml',
        path: '',
        message:
          'expected the folder name to be a pipeline name (1 to 32 letters, digits and hyphens, not starting or ending with a hyphen), got "Bad_Name"',
      },
      {
        file: 'pipelines/alpha/pipeline.yaml',
        path: 'training.instanceType',
        message: 'expected an ml.* instance type, got "m5.large"',
        line: 7,
      },
      {
        file: 'pipelines/beta/pipeline.yaml',
        path: 'evaluation.schedule',
        message: 'expected rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>), got "every hour"',
        line: 17,
      },
    ]);
  });

  it('names files relative to the root, also for another pipelines folder', () => {
    const root = fixture({
      'config/pipelines/churn/pipeline.yaml': pipelineYaml('churn/').replace('target: churned\n', ''),
      'config/pipelines/churn/contract.yaml': CONTRACT,
    });
    expect(rejection(root, 'config/pipelines').message).toBe(
      'config/pipelines/churn/pipeline.yaml: target: expected a non-empty column name, got nothing',
    );
  });
});
