// `mlops status`, `mlops approve` and `mlops rollback` against the local runtime (`--local`), as an operator uses
// them: a project folder with the pipeline, the runtime's handle in `.local/runtime.json`, its control endpoint.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PutCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { registerApproveCommand } from '../../../cli/commands/approve';
import { registerRollbackCommand } from '../../../cli/commands/rollback';
import { registerStatusCommand } from '../../../cli/commands/status';
import { UsageError } from '../../../cli/exit-codes';
import { startControlServer } from '../../../local/control-server';
import { MOTO_ENDPOINT_KEY } from '../setup/provided-context';
import { DeploymentHarness, ROOT, testPipeline, testPipelineYaml } from './deployment-harness';

const harness = new DeploymentHarness([testPipeline('ops')]);
let project: string;
let control: { url: string; close(): Promise<void> };

beforeAll(async () => {
  await harness.start(inject(MOTO_ENDPOINT_KEY));
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-operator-'));
  fs.mkdirSync(path.join(project, 'pipelines', 'ops'), { recursive: true });
  fs.writeFileSync(path.join(project, 'pipelines', 'ops', 'pipeline.yaml'), testPipelineYaml('ops'));
  fs.copyFileSync(path.join(ROOT, 'pipelines/churn/contract.yaml'), path.join(project, 'pipelines/ops/contract.yaml'));
  control = await startControlServer(harness.runtime);
  fs.mkdirSync(path.join(project, '.local'));
  fs.writeFileSync(
    path.join(project, '.local', 'runtime.json'),
    JSON.stringify({
      controlUrl: control.url,
      endpoint: harness.runtime.gateway.endpoint,
      accountId: harness.runtime.accountId,
      region: harness.runtime.region,
      pid: process.pid,
    }),
  );
}, 120_000);

afterAll(async () => {
  await control?.close();
  await harness.stop();
  fs.rmSync(project, { recursive: true, force: true });
});

/** Runs `mlops <args> --local` in this process; what it printed and the exit code it set. */
async function mlops(...args: string[]): Promise<{ stdout: string; exitCode: number }> {
  const program = new Command('mlops').exitOverride();
  registerStatusCommand(program, () => project);
  registerApproveCommand(program, () => project);
  registerRollbackCommand(program, () => project);
  const chunks: string[] = [];
  const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    chunks.push(String(chunk));
    return true;
  });
  try {
    await program.parseAsync(['node', 'mlops', ...args, '--local'], { from: 'node' });
    return { stdout: chunks.join(''), exitCode: Number(process.exitCode ?? 0) };
  } finally {
    write.mockRestore();
    process.exitCode = 0;
  }
}

const json = async (...args: string[]) => {
  const { stdout, exitCode } = await mlops(...args, '--json');
  return { output: JSON.parse(stdout) as Record<string, unknown>, exitCode };
};

describe('operator commands on the local runtime', () => {
  it('status shows an empty pipeline: no champion, no endpoint', async () => {
    const { output, exitCode } = await json('status', 'ops');
    expect(exitCode).toBe(0);
    expect(output).toMatchObject({
      pipeline: 'ops',
      endpoint: { endpointName: 'ops', status: 'absent' },
      champion: null,
      lastDeployment: null,
      lastEvaluation: null,
    });
  });

  it('approve sets a pending version Approved, and the guarded deployment follows from the registry event', async () => {
    const v1 = await harness.registerPackage(
      'ops',
      await harness.uploadModel('m/ops-1.tar.gz', 0.2),
      'PendingManualApproval',
    );
    await harness.settle();
    expect((await json('status', 'ops')).output.champion).toBeNull();

    const { output, exitCode } = await json('approve', 'ops', '1');
    await harness.settle();

    expect(exitCode).toBe(0);
    expect(output).toMatchObject({
      modelPackageArn: v1.arn,
      previousStatus: 'PendingManualApproval',
      changed: true,
      deploys: true,
    });
    expect(await harness.predict('ops')).toEqual(['0.2', '0.2']);
    const status = (await json('status', 'ops')).output;
    expect(status).toMatchObject({
      champion: { modelVersion: 1, modelPackageArn: v1.arn },
      endpoint: { status: 'InService' },
      deploymentInFlight: null,
      lastDeployment: { modelVersion: 1, status: 'succeeded', trigger: 'approval' },
    });
    expect((await json('approve', 'ops', '1')).output).toMatchObject({ changed: false, deploys: false });
  });

  it('approve of a version the registry does not have is a usage error', async () => {
    await expect(mlops('approve', 'ops', '9')).rejects.toThrow(UsageError);
    await expect(mlops('approve', 'nope', '1')).rejects.toThrow(/no pipeline named nope; pipelines: ops/);
  });

  it('rollback is refused (exit 1) while there is no previous champion', async () => {
    const { output, exitCode } = await json('rollback', 'ops');
    expect(exitCode).toBe(1);
    expect(output).toMatchObject({
      result: { kind: 'refused', reason: expect.stringMatching(/no previous champion/) },
    });
  });

  it('rollback redeploys the previous champion through the guarded path and the deploy function promotes it', async () => {
    await harness.registerPackage('ops', await harness.uploadModel('m/ops-2.tar.gz', 0.8), 'Approved');
    await harness.settle();
    expect(await harness.predict('ops')).toEqual(['0.8', '0.8']);
    await harness.lifecycleEvents();

    const { output, exitCode } = await json('rollback', 'ops');
    expect(exitCode).toBe(0);
    expect(output).toMatchObject({ fromModelVersion: 2, result: { kind: 'settled', started: { modelVersion: 1 } } });
    await harness.settle();

    expect(await harness.predict('ops')).toEqual(['0.2', '0.2']);
    const events = await harness.lifecycleEvents();
    expect(events.map((e) => e['detail-type'])).toEqual(['Deployment Started', 'Deployment Succeeded']);
    expect(events[1]?.detail).toMatchObject({ modelVersion: 1, previousModelVersion: 2 });
    const status = (await json('status', 'ops')).output;
    expect(status).toMatchObject({
      champion: { modelVersion: 1 },
      previousChampions: [],
      lastDeployment: { trigger: 'rollback', status: 'succeeded', retainDeploymentConfig: true },
    });
  });

  it('status prints the newest evaluation and reads well for people', async () => {
    const documents = DynamoDBDocumentClient.from(harness.runtime.clients.dynamodb);
    await documents.send(
      new PutCommand({
        TableName: harness.runtime.physicalId('DataPlaneMetadataTable'),
        Item: {
          pk: 'PIPELINE#ops',
          sk: 'EVALUATION#2026-11-23T01:00:00.000Z#eval-1',
          evaluationId: 'eval-1',
          windowStart: '2026-11-22T01:00:00.000Z',
          windowEnd: '2026-11-23T01:00:00.000Z',
          verdict: 'ok',
          samples: 1200,
          matched: 1100,
          metrics: { roc_auc: 0.8123456 },
          reportKey: 'evaluations/ops/eval-1.json',
          modelVersion: 1,
          endpointName: 'ops',
        },
      }),
    );
    expect((await json('status', 'ops')).output.lastEvaluation).toMatchObject({
      evaluationId: 'eval-1',
      verdict: 'ok',
      metrics: { roc_auc: 0.8123456 },
    });
    const { stdout } = await mlops('status', 'ops');
    expect(stdout).toMatch(/champion {4}v1 \(arn:/);
    expect(stdout).toMatch(/endpoint {4}ops: InService with ops-v1-/);
    expect(stdout).toMatch(/last deploy v1 succeeded/);
    expect(stdout).toMatch(/last eval {3}ok for .* \(1100\/1200 labelled\) roc_auc=0\.8123/);
  });

  it('approve says so when a version older than the newest approval will not be deployed', async () => {
    const pending = await harness.registerPackage(
      'ops',
      await harness.uploadModel('m/ops-x.tar.gz', 0.3),
      'PendingManualApproval',
    );
    const newer = await harness.registerPackage('ops', await harness.uploadModel('m/ops-y.tar.gz', 0.4), 'Approved');
    await harness.settle();
    expect(await harness.predict('ops')).toEqual(['0.4', '0.4']);

    const { stdout, exitCode } = await mlops('approve', 'ops', String(pending.version));
    await harness.settle();

    expect(exitCode).toBe(0);
    expect(stdout).toContain(`v${newer.version} was approved after it: v${pending.version} will not be deployed`);
    expect((await harness.store.getState('ops')).champion?.modelVersion).toBe(newer.version);
    await harness.lifecycleEvents();
  });
});
