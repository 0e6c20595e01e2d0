import { afterEach, describe, expect, it } from 'vitest';

import { CaptureWriter, type CaptureTarget } from '../../../../local/sagemaker/capture-writer';
import type { CaptureRecord } from '../../../../local/sagemaker/data-capture';
import { MemoryObjectStore } from './memory-object-store';

const target: CaptureTarget = {
  destinationS3Uri: 's3://bucket/capture/',
  endpointName: 'churn',
  variantName: 'AllTraffic',
  kmsKeyId: 'alias/capture',
};

function record(eventId: string): CaptureRecord {
  return {
    captureData: {
      endpointInput: { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2', encoding: 'CSV' },
    },
    eventMetadata: { eventId, inferenceTime: '2025-01-15T10:00:05Z' },
    eventVersion: '0',
  };
}

const writers: CaptureWriter[] = [];
afterEach(async () => {
  await Promise.all(writers.splice(0).map((writer) => writer.close()));
});

function writer(store: MemoryObjectStore, options: { maxBufferBytes?: number; flushIntervalMs?: number } = {}) {
  let n = 0;
  const created = new CaptureWriter({
    store,
    onError: (error) => {
      throw error;
    },
    fileId: () => `file-${++n}`,
    flushIntervalMs: options.flushIntervalMs ?? 60_000,
    ...(options.maxBufferBytes === undefined ? {} : { maxBufferBytes: options.maxBufferBytes }),
  });
  writers.push(created);
  return created;
}

describe('CaptureWriter', () => {
  it('writes one JSON Lines object per endpoint, variant and hour on flush, with the KMS key', async () => {
    const store = new MemoryObjectStore();
    const capture = writer(store);
    const ten = Date.parse('2025-01-15T10:59:59.000Z');
    capture.append(target, record('a'), ten);
    capture.append(target, record('b'), ten + 500);
    capture.append(target, record('c'), ten + 1000); // 11:00:00, the next hour folder
    expect(store.puts).toHaveLength(0);

    await capture.flush();

    expect(store.puts.map((put) => put.key)).toEqual([
      'capture/churn/AllTraffic/2025/01/15/10/59-59-000-file-1.jsonl',
      'capture/churn/AllTraffic/2025/01/15/11/00-00-000-file-2.jsonl',
    ]);
    expect(store.puts[0]?.body.split('\n')).toEqual([JSON.stringify(record('a')), JSON.stringify(record('b')), '']);
    expect(store.puts[0]?.options).toEqual({ kmsKeyId: 'alias/capture' });
  });

  it('writes a buffer as soon as it reaches the size threshold', async () => {
    const store = new MemoryObjectStore();
    const capture = writer(store, { maxBufferBytes: 300 });
    const at = Date.parse('2025-01-15T10:00:00Z');
    for (const id of ['a', 'b', 'c']) capture.append(target, record(id), at);
    await capture.flush();
    expect(store.puts.length).toBeGreaterThanOrEqual(2);
    expect(store.puts.flatMap((put) => put.body.trimEnd().split('\n'))).toHaveLength(3);
  });

  it('writes a buffer once it is older than the flush interval', async () => {
    const store = new MemoryObjectStore();
    const capture = writer(store, { flushIntervalMs: 20 });
    capture.append(target, record('a'), Date.now());
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(store.puts).toHaveLength(1);
  });
});
