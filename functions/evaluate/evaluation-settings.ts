/**
 * What the evaluation function knows of each pipeline: its `PIPELINES` environment variable, written by the CDK app
 * from the validated configurations (gzip in base64, as the training function's: Lambda holds 4 KB of environment).
 * The settings are made at synth time by pipeline-evaluation-settings.ts (which reads the contracts; kept apart so
 * the function's bundle carries no YAML or JSON Schema code).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import * as z from 'zod';
import {
  EVALUATION_ACTIONS,
  EVALUATION_METRICS,
  PROBLEM_TYPES,
  type EvaluationConfig,
  type PipelineConfig,
} from '../config/pipeline-config';

/** One pipeline's evaluation settings. */
export interface EvaluationPipelineSettings {
  readonly name: string;
  readonly problemType: PipelineConfig['problemType'];
  readonly target: string;
  readonly features: readonly string[];
  readonly endpointName: string;
  readonly evaluation: EvaluationConfig;
}

const SettingsSchema = z.array(
  z.object({
    name: z.string().min(1),
    problemType: z.enum(PROBLEM_TYPES),
    target: z.string().min(1),
    features: z.array(z.string()),
    endpointName: z.string().min(1),
    evaluation: z.object({
      schedule: z.string(),
      windowHours: z.number().positive(),
      labelLagHours: z.number().nonnegative(),
      minSamples: z.number().int().nonnegative(),
      threshold: z.number().optional(),
      degradation: z
        .object({
          metric: z.enum(EVALUATION_METRICS),
          minimum: z.number().optional(),
          maximum: z.number().optional(),
          consecutiveWindows: z.number().int().positive(),
        })
        .optional(),
      drift: z.object({
        psiThreshold: z.number().nonnegative(),
        ksPValue: z.number().optional(),
        consecutiveWindows: z.number().int().positive(),
      }),
      onDegradation: z.enum(EVALUATION_ACTIONS),
      onDrift: z.enum(EVALUATION_ACTIONS),
    }),
  }),
);

/** The `PIPELINES` variable of the evaluation function. */
export function encodeEvaluationSettings(settings: readonly EvaluationPipelineSettings[]): string {
  return gzipSync(JSON.stringify(settings), { level: 9 }).toString('base64');
}

/** The settings from the `PIPELINES` variable. @throws when it is not what {@link encodeEvaluationSettings} wrote */
export function decodeEvaluationSettings(text: string): EvaluationPipelineSettings[] {
  return SettingsSchema.parse(JSON.parse(gunzipSync(Buffer.from(text, 'base64')).toString('utf8')));
}
