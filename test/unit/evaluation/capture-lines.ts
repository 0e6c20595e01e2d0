/** Builds capture and ground-truth lines in SageMaker's formats for the tests. */
export interface Payload {
  readonly data: string;
  readonly encoding?: 'CSV' | 'JSON' | 'BASE64';
  readonly contentType?: string;
}

const payload = (mode: 'INPUT' | 'OUTPUT', p: Payload) => ({
  observedContentType: p.contentType ?? (p.encoding === 'JSON' ? 'application/json' : 'text/csv'),
  mode,
  data: p.data,
  encoding: p.encoding ?? 'CSV',
});

/** One data-capture line. */
export function captureLine(options: {
  readonly eventId: string;
  readonly inferenceId?: string;
  readonly inferenceTime?: string;
  readonly input?: Payload | string;
  readonly output?: Payload | string;
}): string {
  const asPayload = (p: Payload | string) => (typeof p === 'string' ? { data: p } : p);
  return JSON.stringify({
    captureData: {
      ...(options.input === undefined ? {} : { endpointInput: payload('INPUT', asPayload(options.input)) }),
      ...(options.output === undefined ? {} : { endpointOutput: payload('OUTPUT', asPayload(options.output)) }),
    },
    eventMetadata: {
      eventId: options.eventId,
      ...(options.inferenceId === undefined ? {} : { inferenceId: options.inferenceId }),
      inferenceTime: options.inferenceTime ?? '2026-11-21T10:00:00Z',
    },
    eventVersion: '0',
  });
}

/** One Model Monitor ground-truth line. */
export function groundTruthLine(eventId: string, data: string, encoding = 'CSV'): string {
  return JSON.stringify({ groundTruthData: { data, encoding }, eventMetadata: { eventId }, eventVersion: '0' });
}
