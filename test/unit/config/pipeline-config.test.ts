import { describe, expect, it } from 'vitest';
import { parsePipelineConfig, PipelineConfigError } from '../../../functions/config/load-pipelines';
import {
  closestMatch,
  editDistance,
  LIFECYCLE_EVENTS,
  type PipelineConfig,
} from '../../../functions/config/pipeline-config';

const FILE = 'pipelines/churn/pipeline.yaml';

/** The smallest valid pipeline.yaml; tests change one thing at a time, so line numbers below refer to this layout. */
const MINIMAL = `problemType: binary
target: churned
data:
  landingPrefix: churn/incoming/
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
`;

/** MINIMAL with `from` replaced by `to`; fails loudly if `from` is not there, so a test cannot silently test nothing. */
function edit(from: string, to: string, text = MINIMAL): string {
  if (!text.includes(from)) throw new Error(`test setup: ${JSON.stringify(from)} not found`);
  return text.replace(from, to);
}

/** The error parsing `text` throws; fails the test if it does not throw one. */
function rejection(text: string, name = 'churn'): PipelineConfigError {
  try {
    parsePipelineConfig(text, FILE, name);
  } catch (error) {
    if (error instanceof PipelineConfigError) return error;
    throw error;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

const messages = (text: string, name = 'churn'): string[] => rejection(text, name).message.split('\n');

describe('parsePipelineConfig: defaults', () => {
  it('fills every default of a minimal config', () => {
    const config: PipelineConfig = parsePipelineConfig(MINIMAL, FILE, 'churn');
    expect(config).toStrictEqual({
      name: 'churn',
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
        maxRuntimeSeconds: 86400,
        spot: { enabled: false },
        hyperparameters: {},
        metricDefinitions: [{ name: 'validation:auc', regex: 'validation-auc:([0-9.]+)' }],
        window: { lastDatasets: 5 },
        validation: undefined,
        debounceSeconds: 0,
      },
      gate: { metric: 'validation:auc', direction: 'maximize', minImprovement: 0, guards: [] },
      registry: { approval: 'manual', modelPackageGroupName: 'churn' },
      deployment: {
        endpointName: 'churn',
        instanceType: 'ml.m5.large',
        instanceCount: 1,
        dataCapture: { samplingPercentage: 100 },
        strategy: {
          type: 'allAtOnce',
          waitSeconds: 0,
          terminationWaitSeconds: 300,
          maximumExecutionTimeoutSeconds: 3600,
        },
        alarms: { modelLatencyP99Ms: 1000, invocation5xxPercent: 1 },
        keepPrevious: 3,
      },
      evaluation: undefined,
      notifications: { events: [...LIFECYCLE_EVENTS] },
    });
  });

  it('converts hyperparameters to strings', () => {
    const config = parsePipelineConfig(
      edit(
        '  metricDefinitions:',
        '  hyperparameters:\n    eta: 0.2\n    num_round: 200\n    verbose: true\n    objective: reg:squarederror\n  metricDefinitions:',
      ),
      FILE,
      'churn',
    );
    expect(config.training.hyperparameters).toEqual({
      eta: '0.2',
      num_round: '200',
      verbose: 'true',
      objective: 'reg:squarederror',
    });
  });

  it('defaults the spot wait to twice the runtime and the canary and linear steps', () => {
    const config = parsePipelineConfig(
      edit(
        '  metricDefinitions:',
        '  maxRuntimeSeconds: 3600\n  spot:\n    enabled: true\n  metricDefinitions:',
        `${MINIMAL}  strategy:\n    type: linear\n`,
      ),
      FILE,
      'churn',
    );
    expect(config.training.spot).toEqual({ enabled: true, maxWaitSeconds: 7200 });
    expect(config.deployment.strategy).toEqual({
      type: 'linear',
      stepPercent: 20,
      waitSeconds: 300,
      terminationWaitSeconds: 300,
      maximumExecutionTimeoutSeconds: 3600,
    });
  });

  it('takes an ECR image URI, with no image version', () => {
    const image = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/churn-trainer:2024.06.01';
    const config = parsePipelineConfig(edit('image: xgboost', `image: ${image}`), FILE, 'churn');
    expect(config.training.image).toBe(image);
    expect(config.training.imageVersion).toBeUndefined();
  });

  it('takes a serverless deployment, without data capture', () => {
    const config = parsePipelineConfig(
      edit('deployment:\n  instanceType: ml.m5.large\n', 'deployment:\n  serverless:\n    memorySizeMb: 3072\n'),
      FILE,
      'churn',
    );
    expect(config.deployment).toMatchObject({ serverless: { memorySizeMb: 3072, maxConcurrency: 20 } });
    expect(config.deployment.dataCapture).toBeUndefined();
    expect(config.deployment.instanceType).toBeUndefined();
  });

  it('keeps unquoted dates and YAML 1.1 booleans as strings (YAML 1.2 core schema)', () => {
    const config = parsePipelineConfig(
      edit('target: churned', 'target: churned\ndescription: 2024-01-01'),
      FILE,
      'churn',
    );
    expect(config.description).toBe('2024-01-01');
    expect(messages(edit('image: xgboost', 'image: xgboost\n  spot:\n    enabled: yes'))).toEqual([
      `${FILE}: training.spot.enabled: expected true or false, got "yes" (line 8)`,
    ]);
  });

  it('applies evaluation defaults, with a threshold for binary problems only', () => {
    const config = parsePipelineConfig(`${MINIMAL}evaluation:\n  schedule: cron(0 6 * * ? *)\n`, FILE, 'churn');
    expect(config.evaluation).toEqual({
      schedule: 'cron(0 6 * * ? *)',
      windowHours: 24,
      labelLagHours: 0,
      minSamples: 100,
      threshold: 0.5,
      drift: { psiThreshold: 0.2, consecutiveWindows: 2 },
      onDegradation: 'notify',
      onDrift: 'notify',
    });
  });

  it('expands a list of notification events as given', () => {
    const config = parsePipelineConfig(
      `${MINIMAL}notifications:\n  events: [Training Failed, Model Degraded]\n  webhookKey: ml-alerts\n`,
      FILE,
      'churn',
    );
    expect(config.notifications).toEqual({ events: ['Training Failed', 'Model Degraded'], webhookKey: 'ml-alerts' });
  });
});

describe('parsePipelineConfig: broken configs', () => {
  it('fails if training.instanceType is not an ml.* type', () => {
    const error = rejection(
      edit('  instanceType: ml.m5.large\n  metricDefinitions', '  instanceType: m5.large\n  metricDefinitions'),
    );
    expect(error.message).toBe(
      `${FILE}: training.instanceType: expected an ml.* instance type, got "m5.large" (line 7)`,
    );
    expect(error.problems).toEqual([
      {
        file: FILE,
        path: 'training.instanceType',
        message: 'expected an ml.* instance type, got "m5.large"',
        line: 7,
      },
    ]);
    expect(error.name).toBe('PipelineConfigError');
  });

  it('fails on an unknown key and suggests the key that was probably meant', () => {
    expect(messages(edit('  image: xgboost', '  image: xgboost\n  instnceCount: 2'))).toEqual([
      `${FILE}: training.instnceCount: unknown key, did you mean "instanceCount"? (line 7)`,
    ]);
  });

  it('fails on an unknown key with no close match and lists the keys allowed there', () => {
    expect(messages(edit('data:\n', 'data:\n  bucket: my-bucket\n'))).toEqual([
      `${FILE}: data.bucket: unknown key, expected one of: landingPrefix, contract, maxObjectSizeBytes (line 4)`,
    ]);
  });

  it('fails if required keys are missing, without a line since they are not in the file', () => {
    expect(messages(edit('target: churned\n', ''))).toEqual([
      `${FILE}: target: expected a non-empty column name, got nothing`,
    ]);
    expect(messages('# nothing here\n')).toEqual([`${FILE}: expected a mapping of pipeline settings, got null`]);
  });

  it('fails if gate.metric is not one of training.metricDefinitions', () => {
    expect(messages(edit('  metric: validation:auc', '  metric: validation:acu'))).toEqual([
      `${FILE}: gate.metric: expected one of the training.metricDefinitions names (validation:auc), got "validation:acu" (did you mean "validation:auc"?) (line 12)`,
    ]);
  });

  it('fails if a guard names an undefined metric or has no bound', () => {
    expect(
      messages(edit('  direction: maximize\n', '  direction: maximize\n  guards:\n    - metric: validation:f1\n')),
    ).toEqual([
      `${FILE}: gate.guards[0]: expected minimum or maximum (or both), got {"metric":"validation:f1"} (line 15)`,
      `${FILE}: gate.guards[0].metric: expected one of the training.metricDefinitions names (validation:auc), got "validation:f1" (line 15)`,
    ]);
  });

  it('fails if spot.maxWaitSeconds is shorter than maxRuntimeSeconds', () => {
    expect(
      messages(
        edit(
          '  metricDefinitions:',
          '  maxRuntimeSeconds: 3600\n  spot:\n    enabled: true\n    maxWaitSeconds: 1800\n  metricDefinitions:',
        ),
      ),
    ).toEqual([
      `${FILE}: training.spot.maxWaitSeconds: expected at least training.maxRuntimeSeconds (3600), got 1800 (line 11)`,
    ]);
  });

  it('fails if training.image is neither a built-in algorithm nor an ECR image URI', () => {
    expect(messages(edit('image: xgboost', 'image: docker.io/library/python:3.12'))).toEqual([
      `${FILE}: training.image: expected a built-in algorithm (xgboost, linear-learner, sklearn) or an ECR image URI, got "docker.io/library/python:3.12" (line 6)`,
    ]);
    expect(messages(edit('image: xgboost', 'image: xgbost'))).toEqual([
      `${FILE}: training.image: expected a built-in algorithm (xgboost, linear-learner, sklearn) or an ECR image URI, got "xgbost" (did you mean "xgboost"?) (line 6)`,
    ]);
  });

  it('fails if imageVersion is an unquoted number or comes with an ECR image URI', () => {
    expect(messages(edit('image: xgboost', 'image: xgboost\n  imageVersion: 1.7'))).toEqual([
      `${FILE}: training.imageVersion: expected an image version tag such as "1.7-1", got 1.7 (quote version numbers in YAML) (line 7)`,
    ]);
    expect(
      messages(
        edit('image: xgboost', "image: 123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1\n  imageVersion: '1'"),
      ),
    ).toEqual([
      `${FILE}: training.imageVersion: expected no imageVersion with an ECR image URI (put the tag in the URI), got "1" (line 7)`,
    ]);
  });

  it('fails if a metric regex does not compile or lacks exactly one capture group', () => {
    expect(messages(edit("regex: 'validation-auc:([0-9.]+)'", "regex: 'validation-auc:[0-9.]+'"))).toEqual([
      `${FILE}: training.metricDefinitions[0].regex: expected exactly one capture group around the metric value, got "validation-auc:[0-9.]+" (0 groups) (line 10)`,
    ]);
    expect(messages(edit("regex: 'validation-auc:([0-9.]+)'", "regex: '(\\w+)-auc:([0-9.]+)'"))).toEqual([
      `${FILE}: training.metricDefinitions[0].regex: expected exactly one capture group around the metric value, got "(\\\\w+)-auc:([0-9.]+)" (2 groups) (line 10)`,
    ]);
    expect(messages(edit("regex: 'validation-auc:([0-9.]+)'", "regex: 'auc:([0-9.]+'"))).toEqual([
      `${FILE}: training.metricDefinitions[0].regex: expected a valid regular expression, got "auc:([0-9.]+" (Invalid regular expression: /auc:([0-9.]+/: Unterminated group) (line 10)`,
    ]);
  });

  it('fails if two metric definitions share a name', () => {
    expect(
      messages(
        edit(
          "      regex: 'validation-auc:([0-9.]+)'\n",
          "      regex: 'validation-auc:([0-9.]+)'\n    - name: validation:auc\n      regex: 'auc=([0-9.]+)'\n",
        ),
      ),
    ).toEqual([
      `${FILE}: training.metricDefinitions[1].name: expected a unique metric name, got "validation:auc" (also metricDefinitions[0]) (line 11)`,
    ]);
  });

  it('fails if training.window sets more than one of lastDatasets, lastDays and all', () => {
    expect(
      messages(edit('  metricDefinitions:', '  window:\n    lastDatasets: 3\n    all: true\n  metricDefinitions:')),
    ).toEqual([
      `${FILE}: training.window: expected exactly one of lastDatasets, lastDays or all, got {"lastDatasets":3,"all":true} (line 8)`,
    ]);
  });

  it('fails if the validation split is outside (0, 0.5]', () => {
    expect(messages(edit('  metricDefinitions:', '  validation:\n    split: 0.8\n  metricDefinitions:'))).toEqual([
      `${FILE}: training.validation.split: expected a number greater than 0 and at most 0.5, got 0.8 (line 9)`,
    ]);
  });

  it('fails if data.landingPrefix starts with "/" or lacks the trailing "/", and if data.contract leaves the folder', () => {
    expect(
      messages(
        edit(
          '  landingPrefix: churn/incoming/',
          '  landingPrefix: /churn/incoming\n  contract: ../shared/contract.yaml',
        ),
      ),
    ).toEqual([
      `${FILE}: data.landingPrefix: expected a non-empty S3 key prefix that ends with "/" and does not start with "/", got "/churn/incoming" (line 4)`,
      `${FILE}: data.contract: expected a relative path to a .yaml or .yml file inside the pipeline folder, got "../shared/contract.yaml" (line 5)`,
    ]);
  });

  it('fails if deployment has both instanceType and serverless, or neither', () => {
    expect(messages(`${MINIMAL}  serverless: {}\n`)).toEqual([
      `${FILE}: deployment: expected exactly one of instanceType or serverless, got both (line 14)`,
    ]);
    expect(messages(edit('deployment:\n  instanceType: ml.m5.large\n', 'deployment:\n  keepPrevious: 2\n'))).toEqual([
      `${FILE}: deployment: expected exactly one of instanceType or serverless, got neither (line 14)`,
    ]);
  });

  it('fails if a serverless deployment has an odd memory size or is evaluated on live traffic', () => {
    const serverless = edit(
      'deployment:\n  instanceType: ml.m5.large\n',
      'deployment:\n  serverless:\n    memorySizeMb: 1500\n',
    );
    expect(messages(`${serverless}evaluation:\n  schedule: rate(1 day)\n`)).toEqual([
      `${FILE}: deployment.serverless.memorySizeMb: expected one of 1024, 2048, 3072, 4096, 5120, 6144, got 1500 (line 16)`,
      `${FILE}: evaluation: expected no evaluation with a serverless deployment, got an evaluation section (it reads captured requests, and serverless endpoints cannot capture data) (line 17)`,
    ]);
  });

  it('fails on an unknown deployment strategy type and on waits longer than the execution timeout', () => {
    expect(messages(`${MINIMAL}  strategy:\n    type: blueGreen\n`)).toEqual([
      `${FILE}: deployment.strategy.type: expected one of allAtOnce, canary, linear, got "blueGreen" (line 17)`,
    ]);
    expect(
      messages(
        `${MINIMAL}  strategy:\n    type: linear\n    stepPercent: 10\n    waitSeconds: 600\n    maximumExecutionTimeoutSeconds: 3600\n`,
      ),
    ).toEqual([
      `${FILE}: deployment.strategy.maximumExecutionTimeoutSeconds: expected more than the sum of the waits (6300 s), got 3600 (line 20)`,
    ]);
    expect(messages(`${MINIMAL}  strategy:\n    type: canary\n    canaryPercent: 60\n    stepPercent: 10\n`)).toEqual([
      `${FILE}: deployment.strategy.canaryPercent: expected an integer from 1 to 50, got 60 (line 18)`,
      `${FILE}: deployment.strategy.stepPercent: unknown key, expected one of: type, canaryPercent, waitSeconds, terminationWaitSeconds, maximumExecutionTimeoutSeconds (line 19)`,
    ]);
  });

  it('fails if evaluation.schedule is neither a rate nor a 6-field cron expression', () => {
    const withSchedule = (schedule: string): string[] => messages(`${MINIMAL}evaluation:\n  schedule: ${schedule}\n`);
    expect(withSchedule('hourly')).toEqual([
      `${FILE}: evaluation.schedule: expected rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>), got "hourly" (line 17)`,
    ]);
    expect(withSchedule("'cron(0 6 * * *)'")).toEqual([
      `${FILE}: evaluation.schedule: expected rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>), got "cron(0 6 * * *)" (line 17)`,
    ]);
    expect(withSchedule('rate(5 minute)')).toEqual([
      `${FILE}: evaluation.schedule: expected a singular unit for 1 and a plural one otherwise, got "rate(5 minute)" (line 17)`,
    ]);
    expect(withSchedule("'cron(0 6 * * MON *)'")).toEqual([
      `${FILE}: evaluation.schedule: expected "?" in exactly one of the day-of-month and day-of-week fields, got "cron(0 6 * * MON *)" (line 17)`,
    ]);
  });

  it('fails if the degradation metric does not fit the problem type, and on a threshold outside binary problems', () => {
    const regression = edit('problemType: binary', 'problemType: regression');
    expect(
      messages(
        `${regression}evaluation:\n  schedule: rate(1 hour)\n  threshold: 0.4\n  degradation:\n    metric: roc_auc\n    minimum: 0.7\n`,
      ),
    ).toEqual([
      `${FILE}: evaluation.threshold: expected no threshold for a regression problem (only binary uses one), got 0.4 (line 18)`,
      `${FILE}: evaluation.degradation.metric: expected a metric for regression problems (mae, rmse, mape, r2), got "roc_auc" (line 20)`,
    ]);
  });

  it('takes gate.liveMetric, and fails if it is not a live-evaluation metric of the problem type or its direction', () => {
    const live = (metric: string, text = MINIMAL) =>
      edit('  direction: maximize\n', `  direction: maximize\n  liveMetric: ${metric}\n`, text);
    expect(parsePipelineConfig(live('roc_auc'), FILE, 'churn').gate.liveMetric).toBe('roc_auc');
    expect(parsePipelineConfig(MINIMAL, FILE, 'churn').gate.liveMetric).toBeUndefined();
    expect(messages(live('roc-auc'))).toEqual([
      `${FILE}: gate.liveMetric: expected one of accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss, mae, rmse, mape, r2, macro_f1, weighted_f1, got "roc-auc" (did you mean "roc_auc"?) (line 14)`,
    ]);
    expect(messages(live('rmse'))).toEqual([
      `${FILE}: gate.liveMetric: expected a live-evaluation metric for binary problems (accuracy, precision, recall, f1, roc_auc, pr_auc, log_loss), got "rmse" (line 14)`,
    ]);
    expect(messages(live('log_loss'))).toEqual([
      `${FILE}: gate.liveMetric: expected a metric that is better when higher, as gate.direction is maximize (accuracy, precision, recall, f1, roc_auc, pr_auc), got "log_loss" (better when lower) (line 14)`,
    ]);
    const minimizing = edit('  direction: maximize\n', '  direction: minimize\n  liveMetric: roc_auc\n');
    expect(messages(minimizing)).toEqual([
      `${FILE}: gate.liveMetric: expected a metric that is better when lower, as gate.direction is minimize (log_loss), got "roc_auc" (better when higher) (line 14)`,
    ]);
    const regression = edit('problemType: binary', 'problemType: regression');
    const rmse = edit('  direction: maximize\n', '  direction: minimize\n  liveMetric: rmse\n', regression);
    expect(parsePipelineConfig(rmse, FILE, 'churn').gate).toMatchObject({ direction: 'minimize', liveMetric: 'rmse' });
  });

  it('fails if onDegradation asks for an action but nothing defines degradation', () => {
    expect(messages(`${MINIMAL}evaluation:\n  schedule: rate(1 hour)\n  onDegradation: rollback\n`)).toEqual([
      `${FILE}: evaluation.onDegradation: expected notify without evaluation.degradation (nothing can detect degradation), got "rollback" (line 18)`,
    ]);
  });

  it('fails on a misspelt notification event or a mention that Slack would not resolve', () => {
    expect(
      messages(`${MINIMAL}notifications:\n  events: [Training Failed, Model Degradded]\n  mention: '@oncall'\n`),
    ).toEqual([
      `${FILE}: notifications.events[1]: expected one of ${LIFECYCLE_EVENTS.join(', ')}, got "Model Degradded" (did you mean "Model Degraded"?) (line 17)`,
      `${FILE}: notifications.mention: expected a Slack mention such as "<@U0123ABCD>" or "<!subteam^S0123ABCD>", got "@oncall" (line 18)`,
    ]);
  });

  it('fails on a hyperparameter that is null or longer than SageMaker allows', () => {
    expect(
      messages(
        edit(
          '  metricDefinitions:',
          `  hyperparameters:\n    eta:\n    objective: ${'x'.repeat(257)}\n  metricDefinitions:`,
        ),
      ),
    ).toEqual([
      `${FILE}: training.hyperparameters.eta: expected a string, number or boolean, got null (line 9)`,
      `${FILE}: training.hyperparameters.objective: expected a value of at most 256 characters, got "${'x'.repeat(76)}... (line 10)`,
    ]);
  });

  it('fails on tags that AWS reserves', () => {
    expect(messages(`${MINIMAL}tags:\n  aws:team: ml\n  cost center: 42\n`)).toEqual([
      `${FILE}: tags["aws:team"]: expected a tag key of 1 to 128 characters that does not start with "aws:", got "aws:team" (line 17)`,
      `${FILE}: tags["cost center"]: expected a string of at most 256 characters, got 42 (line 18)`,
    ]);
  });

  it('fails if the folder name is not a valid pipeline name', () => {
    expect(messages(MINIMAL, 'churn_model')).toEqual([
      `${FILE}: expected the folder name to be a pipeline name (1 to 32 letters, digits and hyphens, not starting or ending with a hyphen), got "churn_model"`,
    ]);
    expect(messages(MINIMAL, 'a'.repeat(33))).toHaveLength(1);
  });

  it('collects every problem of a file, in line order', () => {
    const text = edit(
      'problemType: binary',
      'problemType: binery',
      edit(
        'direction: maximize',
        'direction: up',
        edit('instanceType: ml.m5.large\n  metricDefinitions', 'instanceType: m5\n  metricDefinitions'),
      ),
    );
    expect(messages(text)).toEqual([
      `${FILE}: problemType: expected one of binary, multiclass, regression, got "binery" (did you mean "binary"?) (line 1)`,
      `${FILE}: training.instanceType: expected an ml.* instance type, got "m5" (line 7)`,
      `${FILE}: gate.direction: expected one of maximize, minimize, got "up" (line 13)`,
    ]);
  });

  it('reports YAML syntax errors and duplicate keys with their line', () => {
    expect(messages(edit('  direction: maximize', '  direction: [maximize'))).toEqual([
      `${FILE}: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] (line 14)`,
    ]);
    expect(messages(`${MINIMAL}target: label\n`)).toEqual([`${FILE}: invalid YAML: duplicate key "target" (line 16)`]);
  });
});

describe('closestMatch', () => {
  it('suggests near misses, case differences and transpositions, but not unrelated words', () => {
    expect(closestMatch('instnceType', ['instanceType', 'instanceCount'])).toBe('instanceType');
    expect(closestMatch('InstanceType', ['instanceType'])).toBe('instanceType');
    expect(closestMatch('maxiumm', ['minimum', 'maximum'])).toBe('maximum');
    expect(closestMatch('bucket', ['landingPrefix', 'contract'])).toBeUndefined();
    expect(closestMatch('validation:f1', ['validation:auc'])).toBeUndefined();
    expect(closestMatch('binery', ['binary', 'multiclass', 'regression'])).toBe('binary');
    expect(editDistance('ab', 'ba')).toBe(1);
  });
});
