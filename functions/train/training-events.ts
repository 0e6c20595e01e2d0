/**
 * What the training function receives, sorted into triggers: `Dataset Accepted`, a retrain request (`Model
 * Degraded` or `Drift Detected` whose action is `retrain`), or the end of a debounce window (SQS messages). Each
 * trigger has an id that is the same on every redelivery: the dataset id, the evaluation id, or the message body's
 * pipeline (debounce ends are idempotent on their own).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import type { GateConfig, RegistryConfig } from '../config/pipeline-config';
import type {
  DatasetAcceptedDetail,
  DriftDetectedDetail,
  LifecycleEnvelope,
  ModelDegradedDetail,
} from '../events/lifecycle';
import type { ParseResult } from '../events/parse-result';
import type { TrainingPipelineSettings } from './training-runs';

/** One reason to train. */
export interface TrainingTrigger {
  readonly kind: 'dataset' | 'retrain' | 'debounce';
  readonly pipeline: string;
  readonly id: string;
}

type Parser<D> = (event: unknown) => ParseResult<LifecycleEnvelope<D>>;

const SqsBatchSchema = z.object({
  Records: z.array(z.object({ eventSource: z.literal('aws:sqs'), body: z.string() })).min(1),
});
const DebounceMessageSchema = z.object({ pipeline: z.string().min(1) });

/** The triggers in an event, or why it is malformed. */
export function triggerOf(
  event: unknown,
  parsers: {
    readonly datasetAccepted: Parser<DatasetAcceptedDetail>;
    readonly modelDegraded: Parser<ModelDegradedDetail>;
    readonly driftDetected: Parser<DriftDetectedDetail>;
  },
): ParseResult<TrainingTrigger[]> {
  const batch = SqsBatchSchema.safeParse(event);
  if (batch.success) {
    const triggers: TrainingTrigger[] = [];
    for (const record of batch.data.Records) {
      let body: unknown;
      try {
        body = JSON.parse(record.body);
      } catch {
        return { ok: false, error: `debounce message is not JSON: ${record.body.slice(0, 200)}` };
      }
      const message = DebounceMessageSchema.safeParse(body);
      if (!message.success) return { ok: false, error: 'debounce message must be {"pipeline": "<name>"}' };
      triggers.push({ kind: 'debounce', pipeline: message.data.pipeline, id: 'debounce' });
    }
    return { ok: true, value: triggers };
  }
  const detailType =
    typeof event === 'object' && event !== null ? (event as Record<string, unknown>)['detail-type'] : undefined;
  if (detailType === 'Dataset Accepted') {
    const parsed = parsers.datasetAccepted(event);
    return parsed.ok
      ? {
          ok: true,
          value: [{ kind: 'dataset', pipeline: parsed.value.detail.pipeline, id: parsed.value.detail.datasetId }],
        }
      : parsed;
  }
  if (detailType === 'Model Degraded' || detailType === 'Drift Detected') {
    const parsed = detailType === 'Model Degraded' ? parsers.modelDegraded(event) : parsers.driftDetected(event);
    if (!parsed.ok) return parsed;
    const detail = parsed.value.detail;
    if (detail.action !== 'retrain') return { ok: true, value: [] };
    return {
      ok: true,
      value: [{ kind: 'retrain', pipeline: detail.pipeline, id: `evaluation:${detail.evaluationId}` }],
    };
  }
  return { ok: false, error: `not an event the training function handles (detail-type ${String(detailType)})` };
}

const VpcSchema = z.object({ subnetIds: z.array(z.string()).min(1), securityGroupIds: z.array(z.string()).min(1) });

/** The function's settings, written by the CDK app from the validated pipeline configs. */
export function parseTrainingSettings(
  pipelinesSetting: string,
  vpcJson: string | undefined,
  networkIsolation: string | undefined,
): {
  pipelines: TrainingPipelineSettings[];
  vpc?: z.infer<typeof VpcSchema>;
  networkIsolation: boolean;
} {
  const pipelines = z
    .array(
      z.looseObject({
        name: z.string(),
        tags: z.record(z.string(), z.string()),
        training: z.looseObject({ image: z.string(), window: z.unknown(), debounceSeconds: z.number() }),
        gate: z.looseObject({ metric: z.string() }),
        registry: z.looseObject({ approval: z.enum(['auto', 'manual']), modelPackageGroupName: z.string() }),
      }),
    )
    .parse(
      JSON.parse(gunzipSync(Buffer.from(pipelinesSetting, 'base64')).toString('utf8')),
    ) as unknown as TrainingPipelineSettings[];
  return {
    pipelines,
    ...(vpcJson ? { vpc: VpcSchema.parse(JSON.parse(vpcJson)) } : {}),
    networkIsolation: networkIsolation === 'true',
  };
}

/**
 * The `PIPELINES` setting for the function: exactly the parts of each config it reads, as gzip in base64. Lambda
 * holds 4 KB of environment per function; one pipeline's training settings take about 700 bytes of JSON and
 * compress about 5:1 (configs repeat keys), so a deployment fits 10 or more pipelines.
 */
export function trainingSettingsOf(
  pipelines: readonly (TrainingPipelineSettings & { readonly gate: GateConfig; readonly registry: RegistryConfig })[],
): string {
  const json = JSON.stringify(
    pipelines.map((p) => {
      const { local: _local, ...training } = p.training;
      return { name: p.name, tags: p.tags, training, gate: p.gate, registry: p.registry };
    }),
  );
  return gzipSync(json, { level: 9 }).toString('base64');
}
