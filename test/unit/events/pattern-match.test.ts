import { describe, expect, it } from 'vitest';
import { EventPatternSyntaxError } from '../../../functions/events/errors';
import { compileEventPattern, matchesPattern } from '../../../functions/events/pattern-match';

/** An EC2-like event, after the examples of the EventBridge user guide. */
const ec2Event = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: [
    'arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0',
    'arn:aws:ec2:us-west-1:123456789012:volume/vol-1',
  ],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'running',
    'c-count': 5,
    'x-limit': 301.8,
    flag: true,
    nothing: null,
    empty: '',
    'source-ip': '10.0.0.33',
    'source-ip6': '2001:db8::1',
    tags: ['prod', 'web'],
    matrix: [
      ['a', 'b'],
      ['c', ['d']],
    ],
    sub: { inner: 'x' },
    'empty-list': [],
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
    ],
  },
};

const detail = (d: Record<string, unknown>): Record<string, unknown> => ({ detail: d });
const matches = (pattern: unknown): boolean => matchesPattern(pattern, ec2Event);

describe('matchesPattern: exact values', () => {
  it('matches an exact string and is case-sensitive', () => {
    expect(matches({ source: ['aws.ec2'] })).toBe(true);
    expect(matches({ source: ['AWS.EC2'] })).toBe(false);
    expect(matches({ source: ['aws.ec'] })).toBe(false);
  });

  it('ORs the values of one array and ANDs the fields', () => {
    expect(matches({ source: ['aws.s3', 'aws.ec2'] })).toBe(true);
    expect(matches({ source: ['aws.ec2'], region: ['us-west-1'] })).toBe(true);
    expect(matches({ source: ['aws.ec2'], region: ['eu-west-1'] })).toBe(false);
  });

  it('ANDs nested levels', () => {
    expect(matches(detail({ state: ['running'], 'c-count': [5] }))).toBe(true);
    expect(matches(detail({ state: ['running'], 'c-count': [6] }))).toBe(false);
    expect(matches(detail({ sub: { inner: ['x'] } }))).toBe(true);
    expect(matches(detail({ sub: { inner: ['y'] } }))).toBe(false);
  });

  it('compares numbers numerically and never equal to their string form', () => {
    expect(matches(detail({ 'x-limit': [3.018e2] }))).toBe(true);
    expect(matches(detail({ 'c-count': [5.0] }))).toBe(true);
    expect(matches(detail({ 'c-count': ['5'] }))).toBe(false);
    expect(matchesPattern(detail({ n: [5] }), { detail: { n: '5' } })).toBe(false);
  });

  it('matches booleans and null by type, not by their text', () => {
    expect(matches(detail({ flag: [true] }))).toBe(true);
    expect(matches(detail({ flag: ['true'] }))).toBe(false);
    expect(matches(detail({ flag: [false] }))).toBe(false);
    expect(matches(detail({ nothing: [null] }))).toBe(true);
    expect(matches(detail({ nothing: ['null'] }))).toBe(false);
  });

  it('matches null only against a null value, not a missing field', () => {
    expect(matches(detail({ missing: [null] }))).toBe(false);
  });

  it('matches the empty string only against an empty string', () => {
    expect(matches(detail({ empty: [''] }))).toBe(true);
    expect(matches(detail({ state: [''] }))).toBe(false);
    expect(matches(detail({ missing: [''] }))).toBe(false);
  });

  it('does not match a value against a field holding an object', () => {
    expect(matches(detail({ sub: ['x'] }))).toBe(false);
  });

  it('does not match when a nested level is a scalar in the event', () => {
    expect(matches(detail({ state: { inner: ['running'] } }))).toBe(false);
  });
});

describe('matchesPattern: arrays in the event', () => {
  it('matches when any element of the event array matches', () => {
    expect(matches({ resources: ['arn:aws:ec2:us-west-1:123456789012:volume/vol-1'] })).toBe(true);
    expect(matches(detail({ tags: ['web'] }))).toBe(true);
    expect(matches(detail({ tags: ['dev', 'prod'] }))).toBe(true);
    expect(matches(detail({ tags: ['dev'] }))).toBe(false);
  });

  it('looks into nested arrays', () => {
    expect(matches(detail({ matrix: ['d'] }))).toBe(true);
    expect(matches(detail({ matrix: ['e'] }))).toBe(false);
  });

  it('applies operators to each element', () => {
    expect(matches({ resources: [{ suffix: 'vol-1' }] })).toBe(true);
    expect(matches(detail({ tags: [{ prefix: 'we' }] }))).toBe(true);
  });

  it('matches a level against each object of an array', () => {
    expect(matches(detail({ employees: { firstName: ['Anna'] } }))).toBe(true);
    expect(matches(detail({ employees: { firstName: ['Peter'] } }))).toBe(false);
  });

  it('keeps array consistency: fields of one level must come from the same element', () => {
    expect(matches(detail({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }))).toBe(true);
    expect(matches(detail({ employees: { firstName: ['Anna'], lastName: ['Doe'] } }))).toBe(false);
  });

  it('treats an empty array as having no value', () => {
    expect(matches(detail({ 'empty-list': [{ exists: true }] }))).toBe(false);
    expect(matches(detail({ 'empty-list': [{ exists: false }] }))).toBe(true);
    expect(matches(detail({ 'empty-list': [{ 'anything-but': 'x' }] }))).toBe(false);
  });
});

describe('matchesPattern: prefix, suffix, equals-ignore-case, wildcard', () => {
  it('matches prefixes and suffixes of strings, case-sensitively', () => {
    expect(matches({ time: [{ prefix: '2017-12-22' }] })).toBe(true);
    expect(matches({ time: [{ prefix: '2018' }] })).toBe(false);
    expect(matches({ source: [{ suffix: 'ec2' }] })).toBe(true);
    expect(matches({ source: [{ suffix: 'EC2' }] })).toBe(false);
  });

  it('matches prefixes and suffixes ignoring case when asked', () => {
    expect(matches({ source: [{ prefix: { 'equals-ignore-case': 'AWS.' } }] })).toBe(true);
    expect(matches({ source: [{ suffix: { 'equals-ignore-case': '.EC2' } }] })).toBe(true);
    expect(matches({ source: [{ suffix: { 'equals-ignore-case': '.S3' } }] })).toBe(false);
  });

  it('applies string operators to strings only', () => {
    expect(matches(detail({ 'c-count': [{ prefix: '5' }] }))).toBe(false);
    expect(matches(detail({ flag: [{ 'equals-ignore-case': 'TRUE' }] }))).toBe(false);
    expect(matches(detail({ nothing: [{ wildcard: '*' }] }))).toBe(false);
  });

  it('matches equals-ignore-case', () => {
    expect(matches(detail({ state: [{ 'equals-ignore-case': 'RUNNING' }] }))).toBe(true);
    expect(matches(detail({ state: [{ 'equals-ignore-case': 'RUN' }] }))).toBe(false);
  });

  it('matches wildcards anywhere, including the empty run', () => {
    expect(matches({ source: [{ wildcard: 'aws.*' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: '*.ec2' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: 'aws*ec2' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: 'aws.ec2*' }] })).toBe(true);
    expect(matches({ time: [{ wildcard: '2017-*-22T*Z' }] })).toBe(true);
    expect(matches({ source: [{ wildcard: 'aws.s*' }] })).toBe(false);
    expect(matches({ source: [{ wildcard: 'aws.ec' }] })).toBe(false);
  });

  it('treats regular-expression characters in a wildcard literally', () => {
    expect(matchesPattern({ k: [{ wildcard: 'a.c' }] }, { k: 'abc' })).toBe(false);
    expect(matchesPattern({ k: [{ wildcard: 'a.c' }] }, { k: 'a.c' })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: '(x)+[y]' }] }, { k: '(x)+[y]' })).toBe(true);
  });

  it('reads \\* as a literal star and \\\\ as a literal backslash', () => {
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'a*b' })).toBe(true);
    expect(matchesPattern({ k: [{ wildcard: 'a\\*b' }] }, { k: 'axb' })).toBe(false);
    expect(matchesPattern({ k: [{ wildcard: 'a\\\\*' }] }, { k: 'a\\anything' })).toBe(true);
  });

  it('matches an S3 key by prefix and extension with one wildcard', () => {
    const pattern = { key: [{ wildcard: 'incoming/*.csv' }] };
    expect(matchesPattern(pattern, { key: 'incoming/2025/01/orders.csv' })).toBe(true);
    expect(matchesPattern(pattern, { key: 'incoming/orders.csv.gz' })).toBe(false);
  });
});

describe('matchesPattern: anything-but', () => {
  it('excludes a single string or number', () => {
    expect(matches(detail({ state: [{ 'anything-but': 'stopped' }] }))).toBe(true);
    expect(matches(detail({ state: [{ 'anything-but': 'running' }] }))).toBe(false);
    expect(matches(detail({ 'c-count': [{ 'anything-but': 5 }] }))).toBe(false);
    expect(matches(detail({ 'c-count': [{ 'anything-but': 6 }] }))).toBe(true);
  });

  it('excludes a list of strings or numbers', () => {
    expect(matches(detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }))).toBe(true);
    expect(matches(detail({ state: [{ 'anything-but': ['stopped', 'running'] }] }))).toBe(false);
    expect(matches(detail({ 'x-limit': [{ 'anything-but': [100, 301.8] }] }))).toBe(false);
  });

  it('excludes by prefix, suffix, equals-ignore-case and wildcard, single or listed', () => {
    expect(matches({ region: [{ 'anything-but': { prefix: 'us-' } }] })).toBe(false);
    expect(matches({ region: [{ 'anything-but': { prefix: ['eu-', 'ap-'] } }] })).toBe(true);
    expect(matches(detail({ 'instance-id': [{ 'anything-but': { suffix: 'ef0' } }] }))).toBe(false);
    expect(matches(detail({ 'instance-id': [{ 'anything-but': { suffix: ['123', '456'] } }] }))).toBe(true);
    expect(matches(detail({ state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] }))).toBe(false);
    expect(matches(detail({ state: [{ 'anything-but': { 'equals-ignore-case': ['STOPPED'] } }] }))).toBe(true);
    expect(matches({ source: [{ 'anything-but': { wildcard: 'aws.*' } }] })).toBe(false);
    expect(matches({ source: [{ 'anything-but': { wildcard: ['*.s3', '*.sqs'] } }] })).toBe(true);
  });

  it('never matches a missing field', () => {
    expect(matches(detail({ missing: [{ 'anything-but': 'x' }] }))).toBe(false);
    expect(matches(detail({ missing: [{ 'anything-but': { prefix: 'x' } }] }))).toBe(false);
  });

  it('matches an event array when at least one element is not excluded', () => {
    expect(matches(detail({ tags: [{ 'anything-but': 'prod' }] }))).toBe(true);
    expect(matches(detail({ tags: [{ 'anything-but': ['prod', 'web'] }] }))).toBe(false);
  });

  it('lets non-strings through its string forms and mismatched types through its value forms', () => {
    expect(matches(detail({ 'c-count': [{ 'anything-but': { prefix: '5' } }] }))).toBe(true);
    expect(matches(detail({ 'c-count': [{ 'anything-but': '5' }] }))).toBe(true);
    expect(matches(detail({ nothing: [{ 'anything-but': 'x' }] }))).toBe(true);
  });
});

describe('matchesPattern: numeric', () => {
  it('supports every operator', () => {
    expect(matches(detail({ 'c-count': [{ numeric: ['=', 5] }] }))).toBe(true);
    expect(matches(detail({ 'c-count': [{ numeric: ['<', 5] }] }))).toBe(false);
    expect(matches(detail({ 'c-count': [{ numeric: ['<=', 5] }] }))).toBe(true);
    expect(matches(detail({ 'c-count': [{ numeric: ['>', 5] }] }))).toBe(false);
    expect(matches(detail({ 'c-count': [{ numeric: ['>=', 5] }] }))).toBe(true);
    expect(matches(detail({ 'x-limit': [{ numeric: ['=', 3.018e2] }] }))).toBe(true);
  });

  it('supports ranges with open and closed bounds', () => {
    expect(matches(detail({ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }))).toBe(true);
    expect(matches(detail({ 'c-count': [{ numeric: ['>', 0, '<', 5] }] }))).toBe(false);
    expect(matches(detail({ 'c-count': [{ numeric: ['>=', 5, '<', 6] }] }))).toBe(true);
    expect(matches(detail({ 'c-count': [{ numeric: ['>', 5, '<', 6] }] }))).toBe(false);
  });

  it('matches JSON numbers only', () => {
    expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: '5' })).toBe(false);
    expect(matchesPattern({ n: [{ numeric: ['>', 0] }] }, { n: [-1, 7] })).toBe(true);
    expect(matches(detail({ missing: [{ numeric: ['>', 0] }] }))).toBe(false);
  });
});

describe('matchesPattern: exists', () => {
  it('exists: true matches any leaf value, including null and the empty string', () => {
    expect(matches(detail({ state: [{ exists: true }] }))).toBe(true);
    expect(matches(detail({ nothing: [{ exists: true }] }))).toBe(true);
    expect(matches(detail({ empty: [{ exists: true }] }))).toBe(true);
    expect(matches(detail({ missing: [{ exists: true }] }))).toBe(false);
  });

  it('exists: false matches a missing field, also under a missing parent', () => {
    expect(matches(detail({ missing: [{ exists: false }] }))).toBe(true);
    expect(matches(detail({ state: [{ exists: false }] }))).toBe(false);
    expect(matches({ nowhere: { deeper: [{ exists: false }] } })).toBe(true);
    expect(matches({ nowhere: { deeper: [{ exists: true }] } })).toBe(false);
  });

  it('works on leaves only: a field holding an object counts as absent', () => {
    expect(matches(detail({ sub: [{ exists: true }] }))).toBe(false);
    expect(matches(detail({ sub: [{ exists: false }] }))).toBe(true);
  });

  it('combines with other values of the same array as an OR', () => {
    expect(matches(detail({ missing: ['x', { exists: false }] }))).toBe(true);
    expect(matches(detail({ state: ['stopped', { exists: false }] }))).toBe(false);
  });
});

describe('matchesPattern: cidr', () => {
  it('matches IPv4 and IPv6 addresses inside the block', () => {
    expect(matches(detail({ 'source-ip': [{ cidr: '10.0.0.0/24' }] }))).toBe(true);
    expect(matches(detail({ 'source-ip': [{ cidr: '10.0.1.0/24' }] }))).toBe(false);
    expect(matches(detail({ 'source-ip6': [{ cidr: '2001:db8::/32' }] }))).toBe(true);
    expect(matches(detail({ 'source-ip6': [{ cidr: '10.0.0.0/8' }] }))).toBe(false);
    expect(matches(detail({ state: [{ cidr: '10.0.0.0/8' }] }))).toBe(false);
  });
});

describe('matchesPattern: $or', () => {
  it('matches if any alternative matches, ANDed with the other fields', () => {
    const pattern = { source: ['aws.ec2'], $or: [{ region: ['eu-west-1'] }, { detail: { state: ['running'] } }] };
    expect(matches(pattern)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] })).toBe(false);
    expect(matches({ $or: [{ region: ['eu-west-1'] }, { detail: { state: ['stopped'] } }] })).toBe(false);
  });

  it('works at a nested level and nests', () => {
    expect(
      matches(
        detail({
          $or: [
            { 'c-count': [{ numeric: ['>', 10] }] },
            { state: ['running'], $or: [{ flag: [false] }, { 'x-limit': [301.8] }] },
          ],
        }),
      ),
    ).toBe(true);
  });
});

describe('matchesPattern: events that are not objects', () => {
  it('sees no fields in null, a string or an array', () => {
    for (const event of [null, 'aws.ec2', ['aws.ec2'], 42]) {
      expect(matchesPattern({ source: ['aws.ec2'] }, event)).toBe(false);
      expect(matchesPattern({ source: [{ exists: false }] }, event)).toBe(true);
    }
  });
});

describe('compileEventPattern: patterns EventBridge refuses', () => {
  const refuses = (pattern: unknown, path: string, message: RegExp): void => {
    let caught: unknown;
    try {
      compileEventPattern(pattern);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventPatternSyntaxError);
    if (!(caught instanceof EventPatternSyntaxError)) return;
    expect(caught.name).toBe('EventPatternSyntaxError');
    expect(caught.path).toBe(path);
    expect(caught.message).toMatch(message);
  };

  it('fails on an unknown operator even when the event lacks the field (moto would match everything)', () => {
    refuses(detail({ state: [{ bogus: 'x' }] }), 'detail.state[0]', /unknown operator "bogus"/);
    expect(() => matchesPattern(detail({ missing: [{ 'begins-with': 'x' }] }), {})).toThrow(EventPatternSyntaxError);
  });

  it('fails on an unknown anything-but form', () => {
    refuses(detail({ s: [{ 'anything-but': { contains: 'x' } }] }), 'detail.s[0].anything-but', /unsupported/);
  });

  it('fails on empty arrays and empty objects', () => {
    refuses({ source: [] }, 'source', /empty arrays/);
    refuses({ detail: {} }, 'detail', /empty objects/);
    refuses({}, '', /empty objects/);
    refuses(detail({ s: [{ 'anything-but': [] }] }), 'detail.s[0].anything-but', /empty arrays/);
  });

  it('fails on a field that is neither an array nor an object', () => {
    refuses({ source: 'aws.s3' }, 'source', /must be an array of values or an object/);
    refuses({ source: null }, 'source', /must be an array/);
  });

  it('fails on match values that are arrays, and operator objects with several keys', () => {
    refuses({ source: [['aws.s3']] }, 'source[0]', /match value must be/);
    refuses({ source: [{ prefix: 'a', suffix: 'b' }] }, 'source[0]', /exactly one key/);
  });

  it('fails on operands of the wrong type', () => {
    refuses({ s: [{ prefix: 5 }] }, 's[0].prefix', /must be a string/);
    refuses({ s: [{ prefix: { 'equals-ignore-case': 5 } }] }, 's[0].prefix.equals-ignore-case', /must be a string/);
    refuses({ s: [{ prefix: { wildcard: 'a' } }] }, 's[0].prefix', /equals-ignore-case/);
    refuses({ s: [{ exists: 'yes' }] }, 's[0].exists', /true or false/);
    refuses({ s: [{ 'anything-but': ['a', 1] }] }, 's[0].anything-but', /only strings or only numbers/);
    refuses({ s: [{ 'anything-but': null }] }, 's[0].anything-but', /anything-but must be/);
    refuses({ s: [{ 'anything-but': { prefix: [] } }] }, 's[0].anything-but.prefix', /non-empty list/);
  });

  it('fails on malformed numeric expressions', () => {
    refuses({ n: [{ numeric: '>5' }] }, 'n[0].numeric', /must be an array/);
    refuses({ n: [{ numeric: ['<', '5'] }] }, 'n[0].numeric', /numeric must be/);
    refuses({ n: [{ numeric: ['!=', 5] }] }, 'n[0].numeric', /numeric must be/);
    refuses({ n: [{ numeric: ['<', 5, '>', 1] }] }, 'n[0].numeric', /numeric must be/);
    refuses({ n: [{ numeric: ['=', 1, '<', 2] }] }, 'n[0].numeric', /numeric must be/);
    refuses({ n: [{ numeric: ['>', 10, '<', 5] }] }, 'n[0].numeric', /lower bound 10 must be below/);
    refuses({ n: [{ numeric: ['>', 0, '<', 5, '<', 6] }] }, 'n[0].numeric', /numeric must be/);
  });

  it('fails on malformed wildcards', () => {
    refuses({ s: [{ wildcard: 'a**b' }] }, 's[0].wildcard', /consecutive wildcard/);
    refuses({ s: [{ wildcard: 'a\\b' }] }, 's[0].wildcard', /invalid escape/);
    refuses({ s: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] }, 's[0].anything-but.wildcard', /consecutive/);
  });

  it('fails on malformed CIDR blocks', () => {
    refuses({ ip: [{ cidr: '10.0.0.0' }] }, 'ip[0].cidr', /cidr must be/);
    refuses({ ip: [{ cidr: '10.0.0.0/33' }] }, 'ip[0].cidr', /cidr must be/);
    refuses({ ip: [{ cidr: 'host/8' }] }, 'ip[0].cidr', /cidr must be/);
  });

  it('fails on malformed $or', () => {
    refuses({ $or: [{ source: ['a'] }] }, '$or', /at least two objects/);
    refuses({ $or: { source: ['a'] } }, '$or', /at least two objects/);
    refuses({ $or: [{ source: ['a'] }, ['b']] }, '$or[1]', /must be objects/);
    refuses({ $or: [{ source: ['a'] }, { prefix: ['b'] }] }, '$or[1].prefix', /reserved word/);
  });

  it('fails on a pattern that is not an object, or still in the CDK form', () => {
    refuses(null, '', /must be a JSON object/);
    refuses([{ source: ['a'] }], '', /must be a JSON object/);
    refuses({ detailType: ['Object Created'] }, 'detailType', /toEventBridgePattern/);
  });

  it('fails on non-finite numbers', () => {
    refuses({ n: [Infinity] }, 'n[0]', /finite/);
    refuses({ n: [{ numeric: ['>', NaN] }] }, 'n[0].numeric', /finite/);
  });
});

describe('compileEventPattern', () => {
  it('returns a matcher that can be reused for many events', () => {
    const isRunning = compileEventPattern(detail({ state: ['running'] }));
    expect(isRunning(ec2Event)).toBe(true);
    expect(isRunning({ detail: { state: 'stopped' } })).toBe(false);
    expect(isRunning(ec2Event)).toBe(true);
  });

  it('gives matchesPattern the same answer on a second call with the same pattern object', () => {
    const pattern = { source: ['aws.ec2'] };
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
    expect(matchesPattern(pattern, { source: 'aws.s3' })).toBe(false);
    expect(matchesPattern(pattern, ec2Event)).toBe(true);
  });
});
