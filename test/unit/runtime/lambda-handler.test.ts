import { describe, expect, it } from 'vitest';
import { MalformedEventError } from '../../../functions/runtime/errors';
import { lambdaHandler, type MalformedEventSink } from '../../../functions/runtime/lambda-handler';
import { MissingEnvironmentError, readEnv } from '../../../functions/runtime/read-env';
import { lambdaContext } from '../../fixtures/lambda-context';

const context = lambdaContext('test-fn', { timeoutMs: 10_000 });

function recordingSink() {
  const parked: { record: unknown; functionName: string }[] = [];
  const sink: MalformedEventSink = {
    park: (record, functionName) => {
      parked.push({ record, functionName });
      return Promise.resolve();
    },
  };
  return { sink, parked };
}

describe('lambdaHandler error policy', () => {
  it('parks a malformed event once and reports success, so Lambda does not retry it', async () => {
    const { sink, parked } = recordingSink();
    const handler = lambdaHandler(sink, () =>
      Promise.reject(new MalformedEventError('expected detail.pipeline', 'detail.pipeline')),
    );

    const result = await handler({ detail: {} }, context);

    expect(result).toEqual({ deadLettered: true, reason: 'expected detail.pipeline' });
    expect(parked).toEqual([
      {
        record: { reason: 'expected detail.pipeline', path: 'detail.pipeline', event: { detail: {} } },
        functionName: 'test-fn',
      },
    ]);
  });

  it('rethrows any other error so the asynchronous invocation is retried', async () => {
    const { sink, parked } = recordingSink();
    const handler = lambdaHandler(sink, () => Promise.reject(new Error('throttled')));

    await expect(handler({}, context)).rejects.toThrow('throttled');
    expect(parked).toEqual([]);
  });

  it('returns the handler result untouched on success', async () => {
    const { sink } = recordingSink();
    const handler = lambdaHandler(sink, (event: { n: number }) => Promise.resolve({ doubled: event.n * 2 }));

    await expect(handler({ n: 21 }, context)).resolves.toEqual({ doubled: 42 });
  });
});

describe('readEnv', () => {
  it('reports every missing variable at once', () => {
    delete process.env.MLOPS_TEST_A;
    process.env.MLOPS_TEST_B = '';
    expect(() => readEnv('MLOPS_TEST_A', 'MLOPS_TEST_B')).toThrow(
      new MissingEnvironmentError(['MLOPS_TEST_A', 'MLOPS_TEST_B']),
    );
    expect(() => readEnv('MLOPS_TEST_A')).toThrow('missing environment variable: MLOPS_TEST_A');
  });

  it('returns the values when all are set', () => {
    process.env.MLOPS_TEST_C = 'x';
    expect(readEnv('MLOPS_TEST_C')).toEqual({ MLOPS_TEST_C: 'x' });
  });
});
