import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { missingOutputs, STACK_OUTPUTS, toStackOutputs } from '../../../functions/config/stack-outputs';
import { UsageError } from '../../../cli/exit-codes';
import { resolveStackTarget } from '../../../cli/stack-target';
import { synthExampleApp } from '../../infra/stack-fixture';

describe('stack outputs', () => {
  it('the stack declares every output the CLI reads, under its fixed name', () => {
    const { template } = synthExampleApp();
    const outputs = template.toJSON().Outputs as Record<string, unknown>;
    expect(Object.keys(outputs).sort()).toEqual(expect.arrayContaining(Object.values(STACK_OUTPUTS)));
  });

  it('names what is missing and maps the rest to camel-case keys', () => {
    expect(missingOutputs({ MetadataTableName: 't' })).toContain('EventBusName');
    const all = Object.fromEntries(Object.values(STACK_OUTPUTS).map((name) => [name, `v-${name}`]));
    expect(missingOutputs(all)).toEqual([]);
    expect(toStackOutputs(all).metadataTableName).toBe('v-MetadataTableName');
  });
});

describe('resolveStackTarget --local', () => {
  let dir: string | undefined;
  afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

  it('says how to start a local runtime when none runs', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-target-'));
    await expect(resolveStackTarget({ projectRoot: dir, local: true })).rejects.toThrow(UsageError);
    await expect(resolveStackTarget({ projectRoot: dir, local: true })).rejects.toThrow(/npm run local/);
  });

  it('says the runtime does not answer when its handle is stale', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-target-'));
    fs.mkdirSync(path.join(dir, '.local'));
    const handle = {
      controlUrl: 'http://127.0.0.1:9',
      endpoint: 'http://127.0.0.1:9',
      accountId: '1',
      region: 'eu-west-1',
      pid: 1,
    };
    fs.writeFileSync(path.join(dir, '.local', 'runtime.json'), JSON.stringify(handle));
    await expect(resolveStackTarget({ projectRoot: dir, local: true })).rejects.toThrow(/does not answer/);
  });
});
