import { describe, expect, it } from 'vitest';
import { readJsonPath, targetInput, TargetInputError } from '../../../../local/lambda/target-input';

const event = {
  'detail-type': 'Object Created',
  resources: ['arn:aws:s3:::bucket'],
  detail: { bucket: { name: 'bucket' }, object: { key: 'incoming/a "quoted" file.csv', size: 42 } },
};

describe('targetInput', () => {
  it('passes the event through without settings', () => {
    expect(targetInput({}, event)).toBe(event);
  });

  it('uses the constant Input, parsed when it is JSON', () => {
    expect(targetInput({ input: '{"kind":"tick"}' }, event)).toEqual({ kind: 'tick' });
    expect(targetInput({ input: 'plain text' }, event)).toBe('plain text');
  });

  it('takes the part of the event at InputPath', () => {
    expect(targetInput({ inputPath: '$.detail.object' }, event)).toEqual(event.detail.object);
    expect(targetInput({ inputPath: '$.resources[0]' }, event)).toBe('arn:aws:s3:::bucket');
  });

  it('fills an InputTemplate: text inside JSON strings, JSON elsewhere', () => {
    const input = targetInput(
      {
        inputTransformer: {
          inputPathsMap: { key: '$.detail.object.key', size: '$.detail.object.size', bucket: '$.detail.bucket' },
          inputTemplate: '{"message": "got <key>", "size": <size>, "bucket": <bucket>}',
        },
      },
      event,
    );
    expect(input).toEqual({ message: 'got incoming/a "quoted" file.csv', size: 42, bucket: { name: 'bucket' } });
  });

  it('supports <aws.events.event> for the whole event', () => {
    expect(targetInput({ inputTransformer: { inputTemplate: '{"wrapped": <aws.events.event>}' } }, event)).toEqual({
      wrapped: event,
    });
  });

  it('rejects JSONPath features it does not implement instead of guessing', () => {
    expect(() => readJsonPath(event, '$..key')).toThrow(TargetInputError);
    expect(() => readJsonPath(event, 'detail')).toThrow('unsupported input path "detail" (expected $...)');
  });
});
