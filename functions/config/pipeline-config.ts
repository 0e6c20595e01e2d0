/**
 * The schema of `pipelines/<name>/pipeline.yaml`, the resolved {@link PipelineConfig} every capability reads, and the
 * problem type shared by the configuration loaders. Pure: no file system, no AWS.
 *
 * Every message reads `expected <what>, got <the value as JSON>` so a synth failure says what to write instead.
 * Every key is documented in `docs/configuration.md`; keep the two in step.
 */
import * as z from 'zod';
import { LIFECYCLE_EVENT_NAMES, type LifecycleEventName } from '../events/lifecycle';
import { describeValue } from './yaml-locations';

export { describeValue };

// ---------------------------------------------------------------------------------------------------------------------
// Vocabulary

/** Built-in SageMaker images `training.image` may name instead of an ECR image URI. */
export const BUILT_IN_ALGORITHMS = ['xgboost', 'linear-learner', 'sklearn'] as const;
/** A built-in SageMaker image name. */
export type BuiltInAlgorithm = (typeof BUILT_IN_ALGORITHMS)[number];

/**
 * Image tag used when `training.imageVersion` is not set: the newest tag in the SageMaker Python SDK's
 * `image_uri_config` (`xgboost.json`, `linear-learner.json`, `sklearn.json`).
 */
export const DEFAULT_IMAGE_VERSIONS: Readonly<Record<BuiltInAlgorithm, string>> = {
  xgboost: '1.7-1',
  'linear-learner': '1',
  sklearn: '1.2-1',
};

/** Kinds of supervised problem a pipeline solves. */
export const PROBLEM_TYPES = ['binary', 'multiclass', 'regression'] as const;
/** A kind of supervised problem. */
export type ProblemType = (typeof PROBLEM_TYPES)[number];

/** Lifecycle events a pipeline can be notified about, spelled as the EventBridge `detail-type` (defined in functions/events/lifecycle.ts). */
export const LIFECYCLE_EVENTS = LIFECYCLE_EVENT_NAMES;
/** A lifecycle event name. */
export type LifecycleEvent = LifecycleEventName;

/** Metrics the scheduled evaluation computes on live traffic. */
export const EVALUATION_METRICS = [
  'accuracy',
  'precision',
  'recall',
  'f1',
  'roc_auc',
  'pr_auc',
  'log_loss',
  'mae',
  'rmse',
  'mape',
  'r2',
  'macro_f1',
  'weighted_f1',
] as const;
/** A live-evaluation metric name. */
export type EvaluationMetric = (typeof EVALUATION_METRICS)[number];

/** Which evaluation metrics are defined for which problem type. */
export const EVALUATION_METRICS_BY_PROBLEM_TYPE: Readonly<Record<ProblemType, readonly EvaluationMetric[]>> = {
  binary: ['accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'pr_auc', 'log_loss'],
  multiclass: ['accuracy', 'macro_f1', 'weighted_f1', 'log_loss'],
  regression: ['mae', 'rmse', 'mape', 'r2'],
};

/** What to do when live evaluation finds degradation or drift. */
export const EVALUATION_ACTIONS = ['notify', 'retrain', 'rollback'] as const;
/** An evaluation action. */
export type EvaluationAction = (typeof EVALUATION_ACTIONS)[number];

/** Longest pipeline (folder) name: it prefixes SageMaker resource names, which are limited to 63 characters. */
export const MAX_PIPELINE_NAME_LENGTH = 32;

const SAGEMAKER_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
const ML_INSTANCE_TYPE = /^ml\.[a-z0-9]+\.[a-z0-9]+$/;
// `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<repository>[:tag|@sha256:digest]`; the repository part is ECR's own pattern.
const ECR_IMAGE_URI =
  /^\d{12}\.dkr\.ecr\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?\/(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*(?::[A-Za-z0-9_][A-Za-z0-9._-]{0,127}|@sha256:[a-f0-9]{64})?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
const RATE_EXPRESSION = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const CRON_EXPRESSION = /^cron\(([^()]*)\)$/;
const CRON_FIELD = /^[0-9A-Za-z*?,/#-]+$/;
// Slack mrkdwn mentions: users, user groups and the special mentions; several may be separated by spaces.
const SLACK_MENTION = /^<(?:@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+|!here|!channel|!everyone)>$/;
const WEBHOOK_KEY = /^[A-Za-z0-9_.-]{1,64}$/;
const GIB = 1024 * 1024 * 1024;
const MAX_TRAINING_SECONDS = 2_419_200; // 28 days, the CreateTrainingJob limit

// ---------------------------------------------------------------------------------------------------------------------
// Messages

/**
 * Edit distance with adjacent transpositions (optimal string alignment), case-insensitive, so that `instnceType`,
 * `instanceTpye` and `InstanceType` all land near `instanceType`.
 */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows: number[][] = [];
  for (let i = 0; i <= s.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= t.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1] ?? [];
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let best = Math.min((up[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (up[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) {
        best = Math.min(best, (rows[i - 2]?.[j - 2] ?? 0) + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[s.length]?.[t.length] ?? Math.max(s.length, t.length);
}

/** Length of the part two strings do not share once their common prefix and suffix are cut off (the longer side). */
function differingLength(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let start = 0;
  while (start < s.length && start < t.length && s[start] === t[start]) start++;
  let end = 0;
  while (end < s.length - start && end < t.length - start && s[s.length - 1 - end] === t[t.length - 1 - end]) end++;
  return Math.max(s.length, t.length) - start - end;
}

/**
 * The candidate closest to `input` if it is close enough to be a typo: at most one edit per three characters, or a
 * difference in letter case only. More than one edit must not rewrite the whole differing part, so
 * `validation:f1` is not taken for a typo of `validation:auc`. Ties go to the earlier candidate.
 */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(input, candidate);
    const limit = Math.floor(Math.max(input.length, candidate.length) / 3);
    const typo = distance <= 1 || distance < differingLength(input, candidate);
    if (distance <= limit && typo && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

const didYouMean = (input: unknown, candidates: readonly string[]): string => {
  const match = typeof input === 'string' ? closestMatch(input, candidates) : undefined;
  return match === undefined ? '' : ` (did you mean "${match}"?)`;
};

/** What every error function receives from zod; only the offending value is used. */
interface IssueInput {
  readonly input?: unknown;
}

/** An error map that says what was expected and shows the value found. */
const expected =
  (what: string) =>
  (issue: IssueInput): string =>
    `expected ${what}, got ${describeValue(issue.input)}`;

/** Like {@link expected}, for a closed list of words, with a suggestion for a near miss. */
const expectedOneOf =
  (values: readonly string[]) =>
  (issue: IssueInput): string =>
    `expected one of ${values.join(', ')}, got ${describeValue(issue.input)}${didYouMean(issue.input, values)}`;

/** The message for one unknown key of a mapping whose keys are `known`. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const match = closestMatch(key, known);
  return match === undefined
    ? `unknown key, expected one of: ${known.join(', ')}`
    : `unknown key, did you mean "${match}"?`;
}

// ---------------------------------------------------------------------------------------------------------------------
// Building blocks

/**
 * A mapping that rejects unknown keys. zod reports all unknown keys of one mapping as one issue; the message holds
 * one line per key, in the order of `issue.keys`, and {@link problemsFromZodError} splits it into one problem per key.
 */
function section<Shape extends z.core.$ZodLooseShape>(what: string, shape: Shape) {
  const known = Object.keys(shape);
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => unknownKeyMessage(key, known)).join('\n')
        : `expected ${what}, got ${describeValue(issue.input)}`,
  });
}

function integer(min: number, max?: number, what?: string) {
  const message = expected(what ?? (max === undefined ? `an integer >= ${min}` : `an integer from ${min} to ${max}`));
  const base = z.number({ error: message }).int({ error: message }).min(min, { error: message });
  return max === undefined ? base : base.max(max, { error: message });
}

function number(what: string, bounds: { min?: number; max?: number; above?: number } = {}) {
  const message = expected(what);
  let schema = z.number({ error: message });
  if (bounds.min !== undefined) schema = schema.min(bounds.min, { error: message });
  if (bounds.above !== undefined) schema = schema.gt(bounds.above, { error: message });
  if (bounds.max !== undefined) schema = schema.max(bounds.max, { error: message });
  return schema;
}

function text(what: string, maxLength: number, pattern?: RegExp) {
  const message = expected(what);
  const schema = z.string({ error: message }).min(1, { error: message }).max(maxLength, { error: message });
  return pattern === undefined ? schema : schema.regex(pattern, { error: message });
}

function oneOf<const Values extends readonly [string, ...string[]]>(values: Values) {
  return z.enum(values, { error: expectedOneOf(values) });
}

const bool = () => z.boolean({ error: expected('true or false') });

const sageMakerName = () =>
  text(
    'a SageMaker name (1 to 63 letters, digits and hyphens, not starting or ending with a hyphen)',
    63,
    SAGEMAKER_NAME,
  );

const mlInstanceType = () => text('an ml.* instance type', 64, ML_INSTANCE_TYPE);

const keyPrefixWhat = 'a non-empty S3 key prefix that ends with "/" and does not start with "/"';
const keyPrefix = () =>
  z
    .string({ error: expected(keyPrefixWhat) })
    .max(1024, { error: expected(keyPrefixWhat) })
    .refine((value) => value.length > 0 && value.endsWith('/') && !value.startsWith('/') && !value.includes('//'), {
      error: expected(keyPrefixWhat),
    });

const localRuntime = () =>
  section('a mapping with command', {
    command: z
      .array(text('a non-empty string', 4096), { error: expected('a non-empty list of strings') })
      .min(1, { error: expected('a non-empty list of strings') }),
  });

/** A path relative to the schema a check is attached to. */
type ValuePath = readonly PropertyKey[];

const startsWith = (path: readonly PropertyKey[], prefix: ValuePath): boolean =>
  prefix.length <= path.length && prefix.every((segment, index) => path[index] === segment);

/**
 * Issues that leave a value unparsed or out of range. Unknown keys and the custom issues of refinements do not: they
 * are raised beside a value that already has its type.
 */
const valueIssues = (payload: z.core.ParsePayload): z.core.$ZodRawIssue[] =>
  payload.issues.filter((issue) => issue.code !== 'unrecognized_keys' && issue.code !== 'custom');

/** True if the value at `path` and everything in it parsed cleanly, so a check may read it as typed. */
const parsedAt = (payload: z.core.ParsePayload, path: ValuePath): boolean =>
  !valueIssues(payload).some((issue) => startsWith(issue.path ?? [], path) || startsWith(path, issue.path ?? []));

/**
 * True if every mapping or list on the way to `path` parsed as one, so `path` can be walked, though the value
 * there may itself be wrong.
 */
const reachable = (payload: z.core.ParsePayload, path: ValuePath): boolean =>
  !valueIssues(payload).some((issue) => startsWith(path, issue.path ?? []) && (issue.path ?? []).length < path.length);

/**
 * Cross-field checks run even when something else in the file is wrong (zod skips them by default), so a file's
 * problems are all reported at once, not one fix at a time. Each check guards its reads with {@link parsedAt} and
 * {@link reachable}, so it never reads a half-parsed value as if it were typed.
 */
const always = { when: (): boolean => true };

/** True if the value a check is attached to parsed as a mapping or list at all; its entries may still be wrong. */
const isContainer = (payload: z.core.ParsePayload): boolean =>
  !valueIssues(payload).some((issue) => (issue.path ?? []).length === 0);

const isSet = (value: unknown): boolean => value !== undefined;

// ---------------------------------------------------------------------------------------------------------------------
// Sections

const dataSchema = section('a mapping with landingPrefix, contract and maxObjectSizeBytes', {
  landingPrefix: keyPrefix(),
  contract: text('a relative path to a .yaml or .yml file inside the pipeline folder', 255)
    .refine((value) => /\.ya?ml$/.test(value) && !value.startsWith('/') && !value.split(/[\\/]/).includes('..'), {
      error: expected('a relative path to a .yaml or .yml file inside the pipeline folder'),
    })
    .default('contract.yaml'),
  maxObjectSizeBytes: integer(1, 10 * GIB, `an integer from 1 to ${10 * GIB} (10 GiB)`).default(GIB),
});

const imageWhat = `a built-in algorithm (${BUILT_IN_ALGORITHMS.join(', ')}) or an ECR image URI`;
const imageVersionWhat = 'an image version tag such as "1.7-1"';

const hyperparameterValue = z.union([z.string(), z.number(), z.boolean()], {
  error: expected('a string, number or boolean'),
});

const hyperparametersSchema = z
  .record(z.string(), hyperparameterValue, {
    error: expected('a mapping of hyperparameter names to strings, numbers or booleans'),
  })
  .superRefine((values, ctx) => {
    if (!isContainer(ctx)) return;
    const entries = Object.entries(values);
    if (entries.length > 100) {
      ctx.addIssue({ code: 'custom', message: `expected at most 100 hyperparameters, got ${entries.length}` });
    }
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > 256) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a hyperparameter name of 1 to 256 characters, got ${describeValue(key)}`,
        });
      }
      if (String(value).length > 256) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a value of at most 256 characters, got ${describeValue(value)}`,
        });
      }
    }
  }, always);

/** Number of capture groups in a regular expression: an empty alternative always matches and fills one slot per group. */
const captureGroups = (regex: RegExp): number => (new RegExp(`${regex.source}|`).exec('')?.length ?? 1) - 1;

const metricRegex = z
  .string({ error: expected('a regular expression of 1 to 500 characters') })
  .min(1, { error: expected('a regular expression of 1 to 500 characters') })
  .max(500, { error: expected('a regular expression of 1 to 500 characters') })
  .superRefine((source, ctx) => {
    let regex: RegExp;
    try {
      regex = new RegExp(source);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      ctx.addIssue({
        code: 'custom',
        message: `expected a valid regular expression, got ${describeValue(source)} (${reason})`,
      });
      return;
    }
    const groups = captureGroups(regex);
    if (groups !== 1) {
      ctx.addIssue({
        code: 'custom',
        message: `expected exactly one capture group around the metric value, got ${describeValue(source)} (${groups} groups)`,
      });
    }
  });

const metricDefinitionsSchema = z
  .array(
    section('a mapping with name and regex', {
      name: text('a metric name of 1 to 255 characters', 255),
      regex: metricRegex,
    }),
    { error: expected('a list of 1 to 40 metric definitions ({name, regex})') },
  )
  .min(1, { error: expected('a list of 1 to 40 metric definitions ({name, regex})') })
  .max(40, { error: expected('a list of 1 to 40 metric definitions ({name, regex})') })
  .superRefine((definitions, ctx) => {
    if (!isContainer(ctx)) return;
    const seen = new Map<string, number>();
    definitions.forEach((definition, index) => {
      if (!parsedAt(ctx, [index, 'name'])) return;
      const first = seen.get(definition.name);
      if (first === undefined) {
        seen.set(definition.name, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: [index, 'name'],
        message: `expected a unique metric name, got ${describeValue(definition.name)} (also metricDefinitions[${first}])`,
      });
    });
  }, always);

const windowSchema = section('a mapping with one of lastDatasets, lastDays or all', {
  lastDatasets: integer(1).optional(),
  lastDays: integer(1).optional(),
  all: z.literal(true, { error: expected('true') }).optional(),
}).superRefine((window, ctx) => {
  if (!isContainer(ctx)) return;
  const set = [window.lastDatasets, window.lastDays, window.all].filter(isSet).length;
  if (set !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of lastDatasets, lastDays or all, got ${describeValue(window)}`,
    });
  }
}, always);

const validationSchema = section('a mapping with one of split or prefix', {
  split: number('a number greater than 0 and at most 0.5', { above: 0, max: 0.5 }).optional(),
  prefix: keyPrefix().optional(),
}).superRefine((validation, ctx) => {
  if (!isContainer(ctx)) return;
  if ([validation.split, validation.prefix].filter(isSet).length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of split or prefix, got ${describeValue(validation)}`,
    });
  }
}, always);

const trainingSchema = section('a mapping of training settings', {
  image: z
    .string({ error: expected(imageWhat) })
    .max(255, { error: expected(imageWhat) })
    .refine((value) => BUILT_IN_ALGORITHMS.some((name) => name === value) || ECR_IMAGE_URI.test(value), {
      error: (issue) => `${expected(imageWhat)(issue)}${didYouMean(issue.input, BUILT_IN_ALGORITHMS)}`,
    }),
  imageVersion: z
    .string({
      error: (issue) =>
        `${expected(imageVersionWhat)(issue)}${typeof issue.input === 'number' ? ' (quote version numbers in YAML)' : ''}`,
    })
    .regex(IMAGE_TAG, { error: expected(imageVersionWhat) })
    .optional(),
  instanceType: mlInstanceType(),
  instanceCount: integer(1, 100).default(1),
  volumeSizeGb: integer(1, 16384).default(30),
  maxRuntimeSeconds: integer(1, MAX_TRAINING_SECONDS, `an integer from 1 to ${MAX_TRAINING_SECONDS} (28 days)`).default(
    86400,
  ),
  spot: section('a mapping with enabled and maxWaitSeconds', {
    enabled: bool().default(false),
    maxWaitSeconds: integer(1).optional(),
  }).prefault({}),
  hyperparameters: hyperparametersSchema.default(() => ({})),
  metricDefinitions: metricDefinitionsSchema,
  window: windowSchema.default(() => ({ lastDatasets: 5 })),
  validation: validationSchema.optional(),
  debounceSeconds: integer(0, 900).default(0),
  local: localRuntime().optional(),
})
  .superRefine((training, ctx) => {
    if (!parsedAt(ctx, ['spot', 'maxWaitSeconds']) || !parsedAt(ctx, ['maxRuntimeSeconds'])) return;
    const wait = training.spot.maxWaitSeconds;
    if (wait !== undefined && wait < training.maxRuntimeSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['spot', 'maxWaitSeconds'],
        message: `expected at least training.maxRuntimeSeconds (${training.maxRuntimeSeconds}), got ${wait}`,
      });
    }
  }, always)
  .superRefine((training, ctx) => {
    if (!parsedAt(ctx, ['image']) || !parsedAt(ctx, ['imageVersion'])) return;
    if (training.imageVersion !== undefined && !isBuiltInAlgorithm(training.image)) {
      ctx.addIssue({
        code: 'custom',
        path: ['imageVersion'],
        message: `expected no imageVersion with an ECR image URI (put the tag in the URI), got ${describeValue(training.imageVersion)}`,
      });
    }
  }, always);

const boundsWhat = 'minimum or maximum (or both)';
const checkBounds = (
  bounds: { readonly minimum?: number | undefined; readonly maximum?: number | undefined },
  ctx: z.core.$RefinementCtx,
  required: boolean,
): void => {
  if (!parsedAt(ctx, ['minimum']) || !parsedAt(ctx, ['maximum'])) return;
  if (required && bounds.minimum === undefined && bounds.maximum === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${boundsWhat}, got ${describeValue(bounds)}` });
  }
  if (bounds.minimum !== undefined && bounds.maximum !== undefined && bounds.minimum > bounds.maximum) {
    ctx.addIssue({
      code: 'custom',
      path: ['maximum'],
      message: `expected a maximum >= minimum (${bounds.minimum}), got ${bounds.maximum}`,
    });
  }
};

const guardSchema = section('a mapping with metric and minimum and/or maximum', {
  metric: text('a metric name from training.metricDefinitions', 255),
  minimum: number('a number').optional(),
  maximum: number('a number').optional(),
}).superRefine((guard, ctx) => checkBounds(guard, ctx, true), always);

/** Whether an evaluation metric is better when higher (`maximize`) or lower (`minimize`). */
export const EVALUATION_METRIC_DIRECTIONS: Readonly<Record<EvaluationMetric, 'maximize' | 'minimize'>> = {
  accuracy: 'maximize',
  precision: 'maximize',
  recall: 'maximize',
  f1: 'maximize',
  roc_auc: 'maximize',
  pr_auc: 'maximize',
  log_loss: 'minimize',
  mae: 'minimize',
  rmse: 'minimize',
  mape: 'minimize',
  r2: 'maximize',
  macro_f1: 'maximize',
  weighted_f1: 'maximize',
};

const gateSchema = section('a mapping with metric and direction', {
  metric: text('a metric name from training.metricDefinitions', 255),
  direction: oneOf(['maximize', 'minimize']),
  liveMetric: oneOf(EVALUATION_METRICS).optional(),
  minimum: number('a number').optional(),
  maximum: number('a number').optional(),
  minImprovement: number('a number >= 0', { min: 0 }).default(0),
  guards: z
    .array(guardSchema, { error: expected('a list of guards ({metric, minimum, maximum})') })
    .max(40, { error: expected('at most 40 guards') })
    .default(() => []),
}).superRefine((gate, ctx) => checkBounds(gate, ctx, false), always);

const registrySchema = section('a mapping with approval and modelPackageGroupName', {
  approval: oneOf(['auto', 'manual']).default('manual'),
  modelPackageGroupName: sageMakerName().optional(),
});

const serverlessMemorySizes = [1024, 2048, 3072, 4096, 5120, 6144] as const;
const serverlessSchema = section('a mapping with memorySizeMb and maxConcurrency', {
  memorySizeMb: z
    .number({ error: expected(`one of ${serverlessMemorySizes.join(', ')}`) })
    .refine((value) => serverlessMemorySizes.some((size) => size === value), {
      error: expected(`one of ${serverlessMemorySizes.join(', ')}`),
    })
    .default(2048),
  maxConcurrency: integer(1, 200).default(20),
});

const strategyTimeouts = {
  terminationWaitSeconds: integer(0, 3600).default(300),
  maximumExecutionTimeoutSeconds: integer(600, 28800).default(3600),
};

/** Longest time the waits of a traffic shift can take; SageMaker requires the execution timeout to exceed it. */
const totalWaitSeconds = (strategy: DeploymentStrategy): number => {
  switch (strategy.type) {
    case 'allAtOnce':
    case 'canary':
      return strategy.waitSeconds + strategy.terminationWaitSeconds;
    case 'linear':
      return Math.ceil(100 / strategy.stepPercent) * strategy.waitSeconds + strategy.terminationWaitSeconds;
  }
};

const strategyTypes = ['allAtOnce', 'canary', 'linear'] as const;
const strategyType = (input: unknown): unknown =>
  typeof input === 'object' && input !== null && 'type' in input ? input.type : undefined;

const strategySchema = z
  .discriminatedUnion(
    'type',
    [
      section('a mapping with type allAtOnce', {
        type: z.literal('allAtOnce'),
        waitSeconds: integer(0, 3600).default(0),
        ...strategyTimeouts,
      }),
      section('a mapping with type canary', {
        type: z.literal('canary'),
        canaryPercent: integer(1, 50).default(10),
        waitSeconds: integer(0, 3600).default(300),
        ...strategyTimeouts,
      }),
      section('a mapping with type linear', {
        type: z.literal('linear'),
        stepPercent: integer(10, 50).default(20),
        waitSeconds: integer(0, 3600).default(300),
        ...strategyTimeouts,
      }),
    ],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? expectedOneOf(strategyTypes)({ input: strategyType(issue.input) })
          : `expected a mapping with type ${strategyTypes.join(', ')}, got ${describeValue(issue.input)}`,
    },
  )
  .superRefine(
    (strategy, ctx) => {
      const waits = totalWaitSeconds(strategy);
      if (strategy.maximumExecutionTimeoutSeconds <= waits) {
        ctx.addIssue({
          code: 'custom',
          path: ['maximumExecutionTimeoutSeconds'],
          message: `expected more than the sum of the waits (${waits} s), got ${strategy.maximumExecutionTimeoutSeconds}`,
        });
      }
    },
    // `when` sees issue paths relative to the union, and any issue at all means some wait is not a number yet.
    { when: (payload) => payload.issues.every((issue) => issue.code === 'unrecognized_keys') },
  );

const deploymentSchema = section('a mapping of deployment settings', {
  endpointName: sageMakerName().optional(),
  instanceType: mlInstanceType().optional(),
  instanceCount: integer(1, 100).optional(),
  serverless: serverlessSchema.optional(),
  dataCapture: section('a mapping with samplingPercentage', {
    samplingPercentage: integer(0, 100).default(100),
  }).optional(),
  strategy: strategySchema.prefault({ type: 'allAtOnce' }),
  alarms: section('a mapping with modelLatencyP99Ms and invocation5xxPercent', {
    modelLatencyP99Ms: integer(1, 60000).default(1000),
    invocation5xxPercent: number('a number from 0 to 100', { min: 0, max: 100 }).default(1),
  }).prefault({}),
  keepPrevious: integer(1, 20).default(3),
  local: localRuntime().optional(),
}).superRefine((deployment, ctx) => {
  if (!isContainer(ctx)) return;
  const hasInstances = deployment.instanceType !== undefined;
  const hasServerless = deployment.serverless !== undefined;
  if (hasInstances === hasServerless) {
    ctx.addIssue({
      code: 'custom',
      message: `expected exactly one of instanceType or serverless, got ${hasInstances ? 'both' : 'neither'}`,
    });
  }
  if (hasServerless && deployment.instanceCount !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['instanceCount'],
      message: `expected no instanceCount with serverless, got ${describeValue(deployment.instanceCount)}`,
    });
  }
  if (hasServerless && deployment.dataCapture !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['dataCapture'],
      message: `expected no dataCapture with serverless (serverless endpoints cannot capture data), got ${describeValue(deployment.dataCapture)}`,
    });
  }
}, always);

const scheduleWhat = 'rate(<n> minute|minutes|hour|hours|day|days) or cron(<6 fields>)';
/** Why an EventBridge schedule expression is invalid, or undefined if it is valid. */
function scheduleProblem(expression: string): string | undefined {
  const rate = RATE_EXPRESSION.exec(expression);
  if (rate) {
    const value = Number(rate[1]);
    const singular = !(rate[2] ?? '').endsWith('s');
    if (value < 1) return `expected a rate of at least 1, got ${describeValue(expression)}`;
    if (singular !== (value === 1)) {
      return `expected a singular unit for 1 and a plural one otherwise, got ${describeValue(expression)}`;
    }
    return undefined;
  }
  const cron = CRON_EXPRESSION.exec(expression);
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (!cron || fields.length !== 6 || !fields.every((field) => CRON_FIELD.test(field))) {
    return `expected ${scheduleWhat}, got ${describeValue(expression)}`;
  }
  if ((fields[2] === '?') === (fields[4] === '?')) {
    return `expected "?" in exactly one of the day-of-month and day-of-week fields, got ${describeValue(expression)}`;
  }
  return undefined;
}

const evaluationSchema = section('a mapping of evaluation settings', {
  schedule: z.string({ error: expected(scheduleWhat) }).superRefine((expression, ctx) => {
    const problem = scheduleProblem(expression);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  }),
  windowHours: integer(1, 720).default(24),
  labelLagHours: integer(0, 168).default(0),
  minSamples: integer(1).default(100),
  threshold: number('a number from 0 to 1', { min: 0, max: 1 }).optional(),
  degradation: section('a mapping with metric, minimum and/or maximum and consecutiveWindows', {
    metric: oneOf(EVALUATION_METRICS),
    minimum: number('a number').optional(),
    maximum: number('a number').optional(),
    consecutiveWindows: integer(1, 48).default(3),
  })
    .superRefine((degradation, ctx) => checkBounds(degradation, ctx, true), always)
    .optional(),
  drift: section('a mapping with psiThreshold, ksPValue and consecutiveWindows', {
    psiThreshold: number('a number greater than 0', { above: 0 }).default(0.2),
    ksPValue: number('a number greater than 0 and less than 1', { above: 0 })
      .lt(1, { error: expected('a number greater than 0 and less than 1') })
      .optional(),
    consecutiveWindows: integer(1, 48).default(2),
  }).prefault({}),
  onDegradation: oneOf(EVALUATION_ACTIONS).default('notify'),
  onDrift: oneOf(EVALUATION_ACTIONS).default('notify'),
}).superRefine((evaluation, ctx) => {
  if (!reachable(ctx, ['degradation']) || !parsedAt(ctx, ['onDegradation'])) return;
  if (evaluation.degradation === undefined && evaluation.onDegradation !== 'notify') {
    ctx.addIssue({
      code: 'custom',
      path: ['onDegradation'],
      message: `expected notify without evaluation.degradation (nothing can detect degradation), got ${describeValue(evaluation.onDegradation)}`,
    });
  }
}, always);

const notificationsSchema = section('a mapping with events, mention and webhookKey', {
  events: z.preprocess(
    (value) => (value === 'all' ? [...LIFECYCLE_EVENTS] : value),
    z
      .array(oneOf(LIFECYCLE_EVENTS), { error: expected('"all" or a list of lifecycle event names') })
      .min(1, { error: expected('"all" or a list of lifecycle event names') }),
  ),
  mention: z
    .string({ error: expected('a Slack mention such as "<@U0123ABCD>" or "<!subteam^S0123ABCD>"') })
    .refine(
      (value) =>
        value.trim().length > 0 &&
        value
          .trim()
          .split(/\s+/)
          .every((part) => SLACK_MENTION.test(part)),
      {
        error: expected('a Slack mention such as "<@U0123ABCD>" or "<!subteam^S0123ABCD>"'),
      },
    )
    .optional(),
  webhookKey: text('a key of 1 to 64 letters, digits, "_", "." or "-"', 64, WEBHOOK_KEY).optional(),
});

const tagsSchema = z
  .record(z.string(), z.string({ error: expected('a string of at most 256 characters') }), {
    error: expected('a mapping of tag keys to strings'),
  })
  .superRefine((tags, ctx) => {
    if (!isContainer(ctx)) return;
    const entries = Object.entries(tags);
    if (entries.length > 40)
      ctx.addIssue({ code: 'custom', message: `expected at most 40 tags, got ${entries.length}` });
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > 128 || key.toLowerCase().startsWith('aws:')) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a tag key of 1 to 128 characters that does not start with "aws:", got ${describeValue(key)}`,
        });
      }
      if (typeof value === 'string' && value.length > 256) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `expected a string of at most 256 characters, got ${describeValue(value)}`,
        });
      }
    }
  }, always);

/**
 * Schema of a `pipeline.yaml` document. Its output has the static defaults filled in; {@link resolvePipelineConfig}
 * adds the ones that depend on the pipeline name or on other keys.
 */
export const pipelineFileSchema = section('a mapping of pipeline settings', {
  description: text('a string of 1 to 1024 characters', 1024).optional(),
  owner: text('a string of 1 to 256 characters', 256).optional(),
  tags: tagsSchema.default(() => ({})),
  problemType: oneOf(PROBLEM_TYPES),
  target: text('a non-empty column name', 255),
  data: dataSchema,
  training: trainingSchema,
  gate: gateSchema,
  registry: registrySchema.prefault({}),
  deployment: deploymentSchema,
  evaluation: evaluationSchema.optional(),
  notifications: notificationsSchema.prefault({ events: 'all' }),
})
  .superRefine((file, ctx) => {
    if (!parsedAt(ctx, ['training', 'metricDefinitions'])) return;
    const names = file.training.metricDefinitions.map((definition) => definition.name);
    const check = (metric: string, path: PropertyKey[]): void => {
      if (!parsedAt(ctx, path) || names.includes(metric)) return;
      ctx.addIssue({
        code: 'custom',
        path,
        message: `expected one of the training.metricDefinitions names (${names.join(', ')}), got ${describeValue(metric)}${didYouMean(metric, names)}`,
      });
    };
    if (reachable(ctx, ['gate', 'metric'])) check(file.gate.metric, ['gate', 'metric']);
    if (reachable(ctx, ['gate', 'guards', 0])) {
      file.gate.guards.forEach((guard, index) => {
        if (reachable(ctx, ['gate', 'guards', index, 'metric'])) {
          check(guard.metric, ['gate', 'guards', index, 'metric']);
        }
      });
    }
  }, always)
  .superRefine((file, ctx) => {
    if (!parsedAt(ctx, ['problemType']) || !parsedAt(ctx, ['gate', 'liveMetric'])) return;
    const metric = file.gate.liveMetric;
    if (metric === undefined) return;
    const allowed = EVALUATION_METRICS_BY_PROBLEM_TYPE[file.problemType];
    if (!allowed.includes(metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['gate', 'liveMetric'],
        message: `expected a live-evaluation metric for ${file.problemType} problems (${allowed.join(', ')}), got ${describeValue(metric)}`,
      });
      return;
    }
    if (!parsedAt(ctx, ['gate', 'direction'])) return;
    const direction = EVALUATION_METRIC_DIRECTIONS[metric];
    if (direction !== file.gate.direction) {
      const fitting = allowed.filter((m) => EVALUATION_METRIC_DIRECTIONS[m] === file.gate.direction);
      ctx.addIssue({
        code: 'custom',
        path: ['gate', 'liveMetric'],
        message: `expected a metric that is better when ${file.gate.direction === 'maximize' ? 'higher' : 'lower'}, as gate.direction is ${file.gate.direction} (${fitting.join(', ')}), got ${describeValue(metric)} (better when ${direction === 'maximize' ? 'higher' : 'lower'})`,
      });
    }
  }, always)
  .superRefine((file, ctx) => {
    if (!parsedAt(ctx, ['problemType']) || !reachable(ctx, ['evaluation', 'degradation', 'metric'])) return;
    if (!parsedAt(ctx, ['evaluation', 'degradation', 'metric'])) return;
    const metric = file.evaluation?.degradation?.metric;
    const allowed = EVALUATION_METRICS_BY_PROBLEM_TYPE[file.problemType];
    if (metric !== undefined && !allowed.includes(metric)) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation', 'degradation', 'metric'],
        message: `expected a metric for ${file.problemType} problems (${allowed.join(', ')}), got ${describeValue(metric)}`,
      });
    }
  }, always)
  .superRefine((file, ctx) => {
    if (!parsedAt(ctx, ['problemType']) || !parsedAt(ctx, ['evaluation', 'threshold'])) return;
    const threshold = file.evaluation?.threshold;
    if (threshold !== undefined && file.problemType !== 'binary') {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation', 'threshold'],
        message: `expected no threshold for a ${file.problemType} problem (only binary uses one), got ${threshold}`,
      });
    }
  }, always)
  .superRefine((file, ctx) => {
    if (!reachable(ctx, ['deployment', 'serverless']) || !reachable(ctx, ['evaluation'])) return;
    if (file.deployment.serverless !== undefined && file.evaluation !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['evaluation'],
        message:
          'expected no evaluation with a serverless deployment, got an evaluation section (it reads captured requests, and serverless endpoints cannot capture data)',
      });
    }
  }, always);

/** A `pipeline.yaml` document after validation, with the static defaults filled in. */
export type PipelineFile = z.output<typeof pipelineFileSchema>;

// ---------------------------------------------------------------------------------------------------------------------
// The resolved configuration

/** `data`: where a pipeline's data lands and what it must look like. */
export interface DataConfig {
  /** Key prefix in the landing bucket; objects under it belong to this pipeline. Ends with `/`. */
  readonly landingPrefix: string;
  /** Data contract file, relative to the pipeline folder. @default 'contract.yaml' */
  readonly contract: string;
  /** Larger objects are rejected without being read. @default 1073741824 (1 GiB) */
  readonly maxObjectSizeBytes: number;
}

/** `training.window`: which accepted datasets a training run reads. */
export type TrainingWindow =
  | { /** The newest N accepted datasets. */ readonly lastDatasets: number }
  | { /** Datasets accepted in the last N days. */ readonly lastDays: number }
  | { /** Every accepted dataset. */ readonly all: true };

/** `training.validation`: where validation data comes from; not set = no validation channel. */
export type ValidationSource =
  | { /** Fraction of the training window held out for validation, in (0, 0.5]. */ readonly split: number }
  | { /** Landing-bucket key prefix of separate validation data. */ readonly prefix: string };

/** `training.spot`: managed spot training. */
export type SpotTraining =
  | { readonly enabled: false }
  | {
      readonly enabled: true;
      /** `MaxWaitTimeInSeconds`, at least `maxRuntimeSeconds`. @default min(2 x maxRuntimeSeconds, 2419200) */
      readonly maxWaitSeconds: number;
    };

/** `training.metricDefinitions[]`: how SageMaker finds a metric in the training logs. */
export interface MetricDefinition {
  readonly name: string;
  /** Regular expression with exactly one capture group around the value. */
  readonly regex: string;
}

/** `training.local` / `deployment.local`: what the local runtime runs instead of the image. */
export interface LocalRuntimeConfig {
  /** Command and arguments, run from the project root. */
  readonly command: readonly string[];
}

/** `training`: the SageMaker training job. */
export interface TrainingConfig {
  /** A built-in algorithm name (see {@link BUILT_IN_ALGORITHMS}) or an ECR image URI. */
  readonly image: string;
  /** Image tag of a built-in algorithm; undefined for an ECR URI. @default DEFAULT_IMAGE_VERSIONS[image] */
  readonly imageVersion?: string;
  readonly instanceType: string;
  /** @default 1 */
  readonly instanceCount: number;
  /** @default 30 */
  readonly volumeSizeGb: number;
  /** @default 86400 (1 day) */
  readonly maxRuntimeSeconds: number;
  /** @default { enabled: false } */
  readonly spot: SpotTraining;
  /** Hyperparameters as SageMaker takes them: strings. @default {} */
  readonly hyperparameters: Readonly<Record<string, string>>;
  readonly metricDefinitions: readonly MetricDefinition[];
  /** @default { lastDatasets: 5 } */
  readonly window: TrainingWindow;
  /** @default undefined: no validation channel */
  readonly validation?: ValidationSource;
  /** Wait this long after an accepted dataset before training, so a burst of files starts one run. @default 0 */
  readonly debounceSeconds: number;
  readonly local?: LocalRuntimeConfig;
}

/** `gate.guards[]`: a metric that must stay within bounds for a model to pass. */
export interface GateGuard {
  readonly metric: string;
  readonly minimum?: number;
  readonly maximum?: number;
}

/** `gate`: the quality gate between training and the registry. */
export interface GateConfig {
  /** One of `training.metricDefinitions[].name`; compared with the champion's. */
  readonly metric: string;
  readonly direction: 'maximize' | 'minimize';
  /**
   * A live-evaluation metric (for the problem type, better in `direction`) that stands for the champion's quality on
   * live traffic: the champion is compared with the worse of its registered `metric` value and its newest live
   * value of this metric. @default undefined: the registered value alone
   */
  readonly liveMetric?: EvaluationMetric;
  /** The metric must be at least this. @default undefined: no lower bound */
  readonly minimum?: number;
  /** The metric must be at most this. @default undefined: no upper bound */
  readonly maximum?: number;
  /** Improvement over the champion required, in the metric's units and direction. @default 0 */
  readonly minImprovement: number;
  /** @default [] */
  readonly guards: readonly GateGuard[];
}

/** `registry`: the SageMaker Model Registry. */
export interface RegistryConfig {
  /** `auto` approves a model that passes the gate; `manual` leaves it `PendingManualApproval`. @default 'manual' */
  readonly approval: 'auto' | 'manual';
  /** @default the pipeline name */
  readonly modelPackageGroupName: string;
}

/** `deployment.serverless`: SageMaker Serverless Inference instead of instances. */
export interface ServerlessConfig {
  /** @default 2048 */
  readonly memorySizeMb: number;
  /** @default 20 */
  readonly maxConcurrency: number;
}

/** Times shared by every deployment strategy. */
interface StrategyTimeouts {
  /** Bake time before the old fleet is terminated (`TerminationWaitInSeconds`). @default 300 */
  readonly terminationWaitSeconds: number;
  /** `MaximumExecutionTimeoutInSeconds`; must exceed the sum of the waits. @default 3600 */
  readonly maximumExecutionTimeoutSeconds: number;
}

/** `deployment.strategy`: blue/green traffic shifting with automatic rollback on alarms. */
export type DeploymentStrategy = StrategyTimeouts &
  (
    | { readonly type: 'allAtOnce'; /** @default 0 */ readonly waitSeconds: number }
    | {
        readonly type: 'canary';
        /** @default 10 */
        readonly canaryPercent: number;
        /** @default 300 */
        readonly waitSeconds: number;
      }
    | {
        readonly type: 'linear';
        /** @default 20 */
        readonly stepPercent: number;
        /** @default 300 */
        readonly waitSeconds: number;
      }
  );

/** `deployment.alarms`: rollback alarms watched during a deployment. */
export interface DeploymentAlarms {
  /** @default 1000 */
  readonly modelLatencyP99Ms: number;
  /** @default 1 */
  readonly invocation5xxPercent: number;
}

/** Instances or serverless: exactly one. Data capture exists only with instances. */
export type DeploymentCompute =
  | {
      readonly instanceType: string;
      /** @default 1 */
      readonly instanceCount: number;
      /** @default { samplingPercentage: 100 } */
      readonly dataCapture: { readonly samplingPercentage: number };
      readonly serverless?: undefined;
    }
  | {
      readonly serverless: ServerlessConfig;
      readonly instanceType?: undefined;
      readonly instanceCount?: undefined;
      readonly dataCapture?: undefined;
    };

/** `deployment`: the real-time endpoint. */
export type DeploymentConfig = DeploymentCompute & {
  /** @default the pipeline name */
  readonly endpointName: string;
  /** @default { type: 'allAtOnce', waitSeconds: 0, terminationWaitSeconds: 300, maximumExecutionTimeoutSeconds: 3600 } */
  readonly strategy: DeploymentStrategy;
  readonly alarms: DeploymentAlarms;
  /** Previous model versions kept ready for rollback. @default 3 */
  readonly keepPrevious: number;
  readonly local?: LocalRuntimeConfig;
};

/** `evaluation.degradation`: when live model quality counts as degraded. */
export interface DegradationConfig {
  readonly metric: EvaluationMetric;
  readonly minimum?: number;
  readonly maximum?: number;
  /** Windows in a row beyond the bound before `Model Degraded`. @default 3 */
  readonly consecutiveWindows: number;
}

/** `evaluation.drift`: feature drift against the training baseline. */
export interface DriftConfig {
  /** Population stability index above which a feature has drifted. @default 0.2 */
  readonly psiThreshold: number;
  /** Kolmogorov-Smirnov p-value below which a numeric feature has drifted. @default undefined: KS test off */
  readonly ksPValue?: number;
  /** @default 2 */
  readonly consecutiveWindows: number;
}

/** `evaluation`: scheduled evaluation on live traffic; not set = no scheduled evaluation. */
export interface EvaluationConfig {
  /** EventBridge schedule expression. */
  readonly schedule: string;
  /** @default 24 */
  readonly windowHours: number;
  /** How long after an inference its label arrives; the window ends this long ago. @default 0 */
  readonly labelLagHours: number;
  /** Fewer joined samples in a window and no metrics are judged. @default 100 */
  readonly minSamples: number;
  /** Decision threshold on the positive-class score; binary problems only. @default 0.5 (binary) */
  readonly threshold?: number;
  /** @default undefined: metrics are published, degradation is not judged */
  readonly degradation?: DegradationConfig;
  readonly drift: DriftConfig;
  /** @default 'notify' */
  readonly onDegradation: EvaluationAction;
  /** @default 'notify' */
  readonly onDrift: EvaluationAction;
}

/** `notifications`: Slack messages for this pipeline. */
export interface NotificationsConfig {
  /** Events to send; `all` in the file becomes every event. @default LIFECYCLE_EVENTS */
  readonly events: readonly LifecycleEvent[];
  /** Slack mention added to failure messages. @default undefined: no mention */
  readonly mention?: string;
  /** Key in the Slack secret's JSON map. @default undefined: the secret's default webhook */
  readonly webhookKey?: string;
}

/** One pipeline's validated configuration, with every default applied. */
export interface PipelineConfig {
  /** Folder name under `pipelines/`; prefixes resource names. */
  readonly name: string;
  readonly description?: string;
  readonly owner?: string;
  /** Tags for the pipeline's resources. @default {} */
  readonly tags: Readonly<Record<string, string>>;
  readonly problemType: ProblemType;
  /** Label column. */
  readonly target: string;
  readonly data: DataConfig;
  readonly training: TrainingConfig;
  readonly gate: GateConfig;
  readonly registry: RegistryConfig;
  readonly deployment: DeploymentConfig;
  /** @default undefined: no scheduled evaluation */
  readonly evaluation?: EvaluationConfig;
  readonly notifications: NotificationsConfig;
}

/** True if `image` names a built-in algorithm rather than an ECR image URI. */
export function isBuiltInAlgorithm(image: string): image is BuiltInAlgorithm {
  return BUILT_IN_ALGORITHMS.some((name) => name === image);
}

/** Why `name` cannot be a pipeline (folder) name, or undefined if it can. */
export function pipelineNameProblem(name: string): string | undefined {
  if (SAGEMAKER_NAME.test(name) && name.length <= MAX_PIPELINE_NAME_LENGTH) return undefined;
  return `expected the folder name to be a pipeline name (1 to ${MAX_PIPELINE_NAME_LENGTH} letters, digits and hyphens, not starting or ending with a hyphen), got ${describeValue(name)}`;
}

function resolveWindow(window: PipelineFile['training']['window']): TrainingWindow {
  if (window.lastDays !== undefined) return { lastDays: window.lastDays };
  if (window.all !== undefined) return { all: window.all };
  return { lastDatasets: window.lastDatasets ?? 5 };
}

function resolveValidation(validation: PipelineFile['training']['validation']): ValidationSource | undefined {
  if (validation?.split !== undefined) return { split: validation.split };
  if (validation?.prefix !== undefined) return { prefix: validation.prefix };
  return undefined;
}

function resolveTraining(training: PipelineFile['training']): TrainingConfig {
  const { spot, window, validation, hyperparameters, imageVersion, ...rest } = training;
  return {
    ...rest,
    imageVersion: isBuiltInAlgorithm(training.image)
      ? (imageVersion ?? DEFAULT_IMAGE_VERSIONS[training.image])
      : undefined,
    spot: spot.enabled
      ? {
          enabled: true,
          maxWaitSeconds: spot.maxWaitSeconds ?? Math.min(2 * training.maxRuntimeSeconds, MAX_TRAINING_SECONDS),
        }
      : { enabled: false },
    hyperparameters: Object.fromEntries(Object.entries(hyperparameters).map(([key, value]) => [key, String(value)])),
    window: resolveWindow(window),
    validation: resolveValidation(validation),
  };
}

function resolveDeployment(deployment: PipelineFile['deployment'], name: string): DeploymentConfig {
  const { serverless, instanceType, instanceCount, dataCapture, endpointName, ...rest } = deployment;
  const common = { ...rest, endpointName: endpointName ?? name };
  if (serverless !== undefined) return { ...common, serverless };
  // The schema guarantees exactly one of instanceType and serverless; this keeps the type honest without a cast.
  if (instanceType === undefined) throw new Error('deployment has neither instanceType nor serverless');
  return {
    ...common,
    instanceType,
    instanceCount: instanceCount ?? 1,
    dataCapture: dataCapture ?? { samplingPercentage: 100 },
  };
}

function resolveEvaluation(file: PipelineFile): EvaluationConfig | undefined {
  const evaluation = file.evaluation;
  if (evaluation === undefined) return undefined;
  return {
    ...evaluation,
    threshold: file.problemType === 'binary' ? (evaluation.threshold ?? 0.5) : undefined,
  };
}

/** Applies the defaults that depend on the pipeline name or on other keys. */
export function resolvePipelineConfig(file: PipelineFile, name: string): PipelineConfig {
  return {
    ...file,
    name,
    training: resolveTraining(file.training),
    registry: {
      approval: file.registry.approval,
      modelPackageGroupName: file.registry.modelPackageGroupName ?? name,
    },
    deployment: resolveDeployment(file.deployment, name),
    evaluation: resolveEvaluation(file),
  };
}

// ---------------------------------------------------------------------------------------------------------------------
// Problems

/** One thing wrong with a configuration: where, and what was expected instead. */
export interface ConfigProblem {
  /** File (relative to the project root) or source, e.g. `pipelines/churn/pipeline.yaml` or `cdk.json context`. */
  readonly file: string;
  /** Dotted path inside the file, e.g. `training.metricDefinitions[0].regex`; empty for the file as a whole. */
  readonly path: string;
  /** `expected ..., got ...` */
  readonly message: string;
  /** 1-based line in the file, where known. */
  readonly line?: number;
}

/** `<file>: <path>: <message> (line N)`, leaving out the parts that are empty. */
export function formatProblem(problem: ConfigProblem): string {
  const path = problem.path === '' ? '' : `${problem.path}: `;
  const line = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return `${problem.file}: ${path}${problem.message}${line}`;
}

/** `training.metricDefinitions[0].regex`; keys that are not plain words are quoted: `tags["cost center"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z_$][\w$-]*$/.test(segment))
      out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/**
 * A zod error as problems, one per unknown key and one per other issue, without duplicates.
 *
 * @param line - maps a raw value path to its 1-based line in the file, where known
 */
export function problemsFromZodError(
  error: z.ZodError,
  file: string,
  line: (path: readonly PropertyKey[]) => number | undefined = () => undefined,
): ConfigProblem[] {
  const found: { path: readonly PropertyKey[]; message: string }[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const messages = issue.message.split('\n');
      issue.keys.forEach((key, index) =>
        found.push({ path: [...issue.path, key], message: messages[index] ?? issue.message }),
      );
    } else {
      found.push({ path: issue.path, message: issue.message });
    }
  }
  const seen = new Set<string>();
  const problems: ConfigProblem[] = [];
  for (const { path, message } of found) {
    const formatted = formatPath(path);
    const key = `${formatted}\n${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const at = line(path);
    problems.push({ file, path: formatted, message, ...(at === undefined ? {} : { line: at }) });
  }
  return problems;
}

/** Base of the configuration errors: carries every problem found, and lists them one per line in `message`. */
export abstract class ConfigError extends Error {
  /** Every problem found, in file and line order. */
  public readonly problems: readonly ConfigProblem[];

  protected constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(problems.map(formatProblem).join('\n'), options);
    this.problems = problems;
  }
}

/**
 * Fallback for issues that a schema above has no message for (there should be none): still `expected ..., got ...`.
 * Passed per parse, so the global zod configuration other modules rely on stays untouched.
 */
export const fallbackErrorMap = (issue: z.core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}, got ${describeValue(issue.input)}`;
    case 'invalid_value':
      return expectedOneOf(issue.values.map(String))(issue);
    default:
      return `expected a valid value, got ${describeValue(issue.input)}`;
  }
};
