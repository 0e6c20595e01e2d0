import * as path from 'node:path';
import { Duration, RemovalPolicy, Stack, type Size } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from './acknowledge';
import { acknowledgeActionsWithoutResourceTypes } from './grants';

/**
 * An on-failure destination that only names the queue. CDK's `SqsDestination` grants `kms:GenerateDataKey*` and
 * `kms:ReEncrypt*` on an encrypted queue; the role below gets exactly `sqs:SendMessage`, `kms:GenerateDataKey`.
 */
const queueDestination = (queue: sqs.IQueue): lambda.IDestination => ({
  bind: () => ({ destination: queue.queueArn }),
});

const ESM_REQUIRE_BANNER =
  "import{createRequire as __mlopsCreateRequire}from'node:module';const require=__mlopsCreateRequire(import.meta.url);";

/** esbuild hooks that copy repository files into the bundle and bundle extra entries beside the handler. */
const afterBundling = (
  files: readonly string[],
  entries: readonly { readonly entry: string; readonly outfile: string }[],
): nodejs.ICommandHooks => ({
  beforeBundling: () => [],
  beforeInstall: () => [],
  afterBundling: (inputDir: string, outputDir: string) => [
    ...files.map((file) => {
      const target = path.posix.join(outputDir, file);
      return `mkdir -p "${path.posix.dirname(target)}" && cp "${path.posix.join(inputDir, file)}" "${target}"`;
    }),
    ...entries.map(
      ({ entry, outfile }) =>
        `"${path.posix.join(inputDir, 'node_modules/.bin/esbuild')}" "${path.posix.join(inputDir, entry)}" --bundle --platform=node ` +
        `--format=esm --target=node24 --minify --sourcemap --sources-content=false --main-fields=module,main --log-level=warning ` +
        `--banner:js="${ESM_REQUIRE_BANNER}" --outfile="${path.posix.join(outputDir, outfile)}"`,
    ),
  ],
});

/** Repository root: `entry` paths are relative to it, and so is the `mlops:entry` metadata the local runtime reads. */
export const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/** Template metadata keys that tie a function resource to its source, for the local runtime (docs/local.md). */
export const FUNCTION_METADATA = { entry: 'mlops:entry', handler: 'mlops:handler' } as const;

export interface MlopsFunctionProps {
  /** Repository-relative path of the handler module, e.g. `functions/contract-check/handler.ts`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** Key for the environment variables, the log group and the dead-letter queue. */
  readonly encryptionKey: kms.IKey;
  /** Stage, for the metrics namespace and names. */
  readonly stage: string;
  /**
   * @default 256 MiB
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(30)
   */
  readonly timeout?: Duration;
  /**
   * @default 512 MiB, Lambda's default
   */
  readonly ephemeralStorageSize?: Size;
  /**
   * Environment variables besides the ones every function gets (Powertools settings, `DEAD_LETTER_QUEUE_URL`).
   * @default - none
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * How often Lambda retries a failed asynchronous invocation before sending it to the dead-letter queue.
   * @default 2
   */
  readonly retryAttempts?: number;
  /**
   * How long Lambda keeps an asynchronous event before sending it to the dead-letter queue.
   * @default Duration.hours(6)
   */
  readonly maxEventAge?: Duration;
  /**
   * Caps concurrent executions (e.g. 1 to serialise Slack posts).
   * @default - no reservation
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * @default RemovalPolicy.RETAIN for the log group and dead-letter queue
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Repository files copied into the bundle beside the code (e.g. the pipelines' data contracts), at the same
   * relative path, so the handler finds them at `<bundle>/<path>` as it finds them at `<repo>/<path>` locally.
   * @default - none
   */
  readonly bundledFiles?: readonly string[];
  /**
   * More modules bundled beside the handler, each into its own ESM file (e.g. a worker-thread entry the handler
   * starts with `new URL('./validation-worker.mjs', import.meta.url)`); same esbuild settings as the handler.
   * @default - none
   */
  readonly additionalEntries?: readonly { readonly entry: string; readonly outfile: string }[];
}

/**
 * The one place that says how a function is built and wired: `NodejsFunction` bundled by the local esbuild (no
 * Docker) as a minified ESM bundle with source maps, on the newest Node.js runtime on arm64, with its own role,
 * KMS-encrypted log group with retention, active tracing, Powertools settings, and asynchronous invocations that
 * end in its own KMS-encrypted dead-letter queue after the retries. Malformed events go there too, at once
 * (`functions/runtime/lambda-handler.ts`).
 */
export class MlopsFunction extends Construct {
  public readonly function: nodejs.NodejsFunction;
  /** Failed asynchronous invocations and malformed events end here; its depth is alarmed by `Observability`. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly logGroup: logs.LogGroup;
  public readonly role: iam.Role;

  public constructor(scope: Construct, id: string, props: MlopsFunctionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const serviceName = Construct.isConstruct(scope) ? `${scope.node.id}-${id}` : id;

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy,
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of its function; its depth is alarmed and it is redriven by hand.',
    );

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });

    // An own role instead of AWSLambdaBasicExecutionRole: logs only to this function's log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${serviceName}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(PROJECT_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(30),
      ephemeralStorageSize: props.ephemeralStorageSize,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      tracing: lambda.Tracing.ACTIVE,
      environmentEncryption: props.encryptionKey,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      retryAttempts: props.retryAttempts ?? 2,
      maxEventAge: props.maxEventAge ?? Duration.hours(6),
      onFailure: queueDestination(this.deadLetterQueue),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: serviceName,
        POWERTOOLS_METRICS_NAMESPACE: `mlops/${props.stage}`,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        DEAD_LETTER_QUEUE_URL: this.deadLetterQueue.queueUrl,
        ...props.environment,
      },
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // The SDK is bundled, not taken from the runtime, so the version that ran in the tests is the one deployed.
        externalModules: [],
        // Some dependencies are CommonJS and call require(); ESM bundles need it defined.
        banner: ESM_REQUIRE_BANNER,
        ...(props.bundledFiles?.length || props.additionalEntries?.length
          ? { commandHooks: afterBundling(props.bundledFiles ?? [], props.additionalEntries ?? []) }
          : {}),
      },
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
    );
    // Decrypt the environment; encrypt messages for the dead-letter queue (SQS SSE-KMS needs a data key).
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
      }),
    );

    const cfn = this.function.node.defaultChild as lambda.CfnFunction;
    cfn.addMetadata(FUNCTION_METADATA.entry, props.entry);
    cfn.addMetadata(FUNCTION_METADATA.handler, 'handler');

    acknowledgeActionsWithoutResourceTypes(this.role, [
      'xray:PutTraceSegments',
      'xray:PutTelemetryRecords (active tracing)',
    ]);
  }

  /** The stack-unique name used in alarms and dashboards. */
  public get label(): string {
    return `${Stack.of(this).stackName}/${this.node.path.split('/').slice(1).join('/')}`;
  }
}
