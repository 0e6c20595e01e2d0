/**
 * The shared vocabulary of the local runtime: what the provisioner reads out of the synthesized template and
 * hands to the dispatcher, the scheduler and the SageMaker executor. Nothing here is hand-written per resource:
 * every value comes from `cdk.out`.
 */

/** A Lambda function of the template, as the local runtime runs it (in a worker thread, from its TypeScript entry). */
export interface LocalFunction {
  /** Logical id in the template, e.g. `ContractCheckFunction1A2B3C4D`. */
  readonly logicalId: string;
  /** Physical name used locally (the template's `FunctionName` when set, else the logical id). */
  readonly functionName: string;
  /** Repository-relative path of the handler module, from the resource's `Metadata["mlops:entry"]`. */
  readonly entry: string;
  /** Exported handler name, from `Metadata["mlops:handler"]` (default `handler`). */
  readonly handlerExport: string;
  /** `Environment.Variables` with every intrinsic resolved to the local physical value. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** `ReservedConcurrentExecutions`, when set: at most this many invocations run at once. */
  readonly reservedConcurrentExecutions?: number;
  /** From the function's `AWS::Lambda::EventInvokeConfig` (Lambda's defaults when absent: 2 retries, 6 h). */
  readonly asyncInvoke: {
    readonly maximumRetryAttempts: number;
    readonly maximumEventAgeSeconds: number;
    /** SQS queue URL of `DestinationConfig.OnFailure` (or the function's `DeadLetterConfig`), if any. */
    readonly onFailureQueueUrl?: string;
    /** ARN of the on-failure destination when it is not a queue of the template (SNS, bus, function, bucket). */
    readonly onFailureDestinationArn?: string;
  };
}

/** An EventBridge rule whose target is a Lambda function, re-pointed locally at an SQS "inbox" queue. */
export interface LocalRuleTarget {
  readonly ruleLogicalId: string;
  readonly ruleName: string;
  /** Name of the bus the rule is on (`default` for the default bus). */
  readonly eventBusName: string;
  /** The rule's event pattern in EventBridge JSON form (`detail-type` keys), exactly as in the template. */
  readonly eventPattern: Readonly<Record<string, unknown>>;
  readonly functionLogicalId: string;
  /** Queue that receives the rule's matching events in the emulator; the dispatcher drains it. */
  readonly inboxQueueUrl: string;
  /** The target's `RetryPolicy` and `DeadLetterConfig` (EventBridge -> Lambda hand-over). */
  readonly retryPolicy?: { readonly maximumRetryAttempts?: number; readonly maximumEventAgeSeconds?: number };
  readonly deadLetterQueueUrl?: string;
  /** Target `Input` (constant JSON) when the template sets one. */
  readonly input?: string;
  /** Target `InputPath` (JSONPath into the event) when the template sets one. */
  readonly inputPath?: string;
  /** Target `InputTransformer` when the template sets one; the dispatcher applies it (the inbox gets the raw event). */
  readonly inputTransformer?: {
    readonly inputPathsMap?: Readonly<Record<string, string>>;
    readonly inputTemplate: string;
  };
}

/** A schedule (rule with `ScheduleExpression`, or `AWS::Scheduler::Schedule`) that targets a function. Never put in moto. */
export interface LocalSchedule {
  readonly logicalId: string;
  readonly name: string;
  /** `rate(...)` or `cron(...)`, as in the template. */
  readonly scheduleExpression: string;
  readonly functionLogicalId: string;
  /** Constant input of the target, if any. */
  readonly input?: string;
  /** The target's `InputPath`, if any. */
  readonly inputPath?: string;
  /** The target's `InputTransformer` (e.g. the scheduled time in a constant object), if any. */
  readonly inputTransformer?: LocalRuleTarget['inputTransformer'];
  /** The target's `RetryPolicy` and dead-letter queue, when the template sets them. */
  readonly retryPolicy?: { readonly maximumRetryAttempts?: number; readonly maximumEventAgeSeconds?: number };
  readonly deadLetterQueueUrl?: string;
}

/** A queue whose consumer is a function (`AWS::Lambda::EventSourceMapping` from SQS). */
export interface LocalQueueSource {
  readonly logicalId: string;
  readonly queueUrl: string;
  readonly functionLogicalId: string;
  readonly batchSize: number;
  readonly reportBatchItemFailures: boolean;
}

/** Everything the provisioner created or registered, keyed for lookups by logical id. */
export interface ProvisionedApp {
  /** Logical id -> the local physical id (`Ref` value): bucket name, table name, queue URL, bus name, ... */
  readonly physicalIds: Readonly<Record<string, string>>;
  /** Logical id -> attribute name -> value (`Fn::GetAtt`). */
  readonly attributes: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly functions: readonly LocalFunction[];
  readonly ruleTargets: readonly LocalRuleTarget[];
  readonly schedules: readonly LocalSchedule[];
  readonly queueSources: readonly LocalQueueSource[];
  /** Resource types present in the template that are not provisioned locally, with their logical ids and why. */
  readonly notProvisioned: readonly {
    readonly type: string;
    readonly logicalIds: readonly string[];
    readonly reason: string;
  }[];
}
