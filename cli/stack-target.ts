/**
 * Where an operator command acts: the deployed stack on AWS (its CloudFormation outputs, the default credential
 * chain) or the running local runtime (`--local`: its control endpoint's outputs, the gateway, dummy credentials).
 * Commands build their SDK clients from `clientConfig`, so the same code reads AWS and the local runtime.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import type { Command } from 'commander';
import * as z from 'zod';
import { missingOutputs, type StackOutputs, toStackOutputs } from '../functions/config/stack-outputs';
import { UsageError } from './exit-codes';
import { control, readHandle } from './local-runtime-handle';

/** `--local`, `--stage`, `--region` as the commands receive them. */
export interface TargetOptions {
  readonly local?: boolean;
  readonly stage?: string;
  readonly region?: string;
}

/** Configuration every SDK v3 client accepts. */
export interface ClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Path-style S3 addressing (the local gateway has no virtual hosts); S3 clients only. */
  readonly forcePathStyle?: boolean;
}

/** The stack a command acts on. */
export interface StackTarget {
  readonly where: 'aws' | 'local';
  readonly stackName: string;
  readonly outputs: StackOutputs;
  readonly clientConfig: ClientConfig;
}

/** The stage used when `--stage` is not given: `mlops:stage` of cdk.json's defaults. */
export const DEFAULT_STAGE = 'dev';

/** Adds the options that choose the target. */
export function addTargetOptions(command: Command): Command {
  return command
    .option('--local', 'act on the running local runtime (`npm run local`) instead of AWS')
    .option('--stage <stage>', `deployment stage on AWS: the stack is Mlops-<stage>`, DEFAULT_STAGE)
    .option('--region <region>', 'AWS region (default: the SDK default chain, e.g. AWS_REGION)');
}

const LocalStatusSchema = z.object({ outputs: z.record(z.string(), z.string()) });

/**
 * Resolves the target.
 * @throws UsageError when no local runtime runs, the stack does not exist, or it lacks outputs (an older
 * deployment: deploy again).
 */
export async function resolveStackTarget(options: TargetOptions & { projectRoot: string }): Promise<StackTarget> {
  const stackName = `Mlops-${options.stage ?? DEFAULT_STAGE}`;
  if (options.local === true) {
    const handle = readHandle(options.projectRoot);
    const status = LocalStatusSchema.safeParse(await control(options.projectRoot, 'GET', '/status'));
    if (!status.success) throw new UsageError('the local runtime does not report its stack outputs; restart it');
    return {
      where: 'local',
      stackName,
      outputs: checkedOutputs(status.data.outputs, 'the local runtime'),
      clientConfig: {
        region: handle.region,
        endpoint: handle.endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        forcePathStyle: true,
      },
    };
  }
  const clientConfig: ClientConfig = options.region === undefined ? {} : { region: options.region };
  const cloudFormation = new CloudFormationClient(clientConfig);
  try {
    const described = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries(
      (described.Stacks?.[0]?.Outputs ?? []).flatMap((o) =>
        o.OutputKey === undefined || o.OutputValue === undefined ? [] : [[o.OutputKey, o.OutputValue]],
      ),
    );
    return { where: 'aws', stackName, outputs: checkedOutputs(outputs, `stack ${stackName}`), clientConfig };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(
      `cannot read stack ${stackName} on AWS (${message}); deploy it with \`npx cdk deploy\`, pass --stage, or use --local`,
    );
  } finally {
    cloudFormation.destroy();
  }
}

function checkedOutputs(values: Readonly<Record<string, string>>, where: string): StackOutputs {
  const missing = missingOutputs(values);
  if (missing.length > 0) {
    throw new UsageError(`${where} lacks the outputs ${missing.join(', ')}; deploy (or start) it again`);
  }
  return toStackOutputs(values);
}
