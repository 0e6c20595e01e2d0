import { describe, expect, it } from 'vitest';

import {
  formatCsvPredictions,
  formatJsonPredictions,
  parseCsvInstances,
  parseJsonInstances,
  payloadType,
  responseType,
} from '../../../pipelines/churn/local/invocation-payloads';

const bytes = (text: string) => new TextEncoder().encode(text);
const CUSTOMER = {
  tenure_months: 12,
  monthly_charges: 70.5,
  total_charges: 846,
  contract_type: 'month-to-month',
  payment_method: 'Digital wallet (Apple Pay, Google Pay)',
  support_calls: 3,
  plan: 'standard',
};

describe('parseCsvInstances', () => {
  it('reads rows in the serving feature order, with RFC 4180 quoting, CRLF and empty totals', () => {
    const parsed = parseCsvInstances(
      bytes(
        '12,70.5,846,month-to-month,"Digital wallet (Apple Pay, Google Pay)",3,standard\r\n0,30,,one-year,"Mailed check",0,basic\r\n',
      ),
    );

    expect(parsed).toEqual({
      kind: 'instances',
      rows: [
        CUSTOMER,
        {
          tenure_months: 0,
          monthly_charges: 30,
          total_charges: null,
          contract_type: 'one-year',
          payment_method: 'Mailed check',
          support_calls: 0,
          plan: 'basic',
        },
      ],
    });
  });

  it.each([
    ['1,2,3,one-year,x,0', /row 1: expected 7 values \(tenure_months, .*\), got 6/],
    [
      '1,2,3,one-year,x,0,basic\n1,2,3,one-year,x,-1,basic',
      /row 2: column support_calls: expected a whole number >= 0, got "-1"/,
    ],
    ['1.5,2,3,one-year,x,0,basic', /column tenure_months: expected a whole number >= 0, got "1.5"/],
    [',2,3,one-year,x,0,basic', /column tenure_months: expected a whole number >= 0, got ""/],
    ['1,2,3,,x,0,basic', /column contract_type: expected a non-empty category/],
    ['1,abc,3,one-year,x,0,basic', /column monthly_charges: expected a number >= 0, got "abc"/],
    [
      'tenure_months,monthly_charges,total_charges,contract_type,payment_method,support_calls,plan',
      /row 1: column tenure_months: .*\(send no header row\)/,
    ],
    ['1,2,3,one-year,"x,0,basic', /malformed CSV: line 1: unterminated quoted field/],
    ['\n\n', /the body has no rows/],
  ])('refuses %j with the reason', (body, reason) => {
    const parsed = parseCsvInstances(bytes(body));

    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' ? parsed.message : '').toMatch(reason);
  });
});

describe('parseJsonInstances', () => {
  it('reads named features and positional ones, null for an empty total', () => {
    const parsed = parseJsonInstances(
      bytes(
        JSON.stringify({
          instances: [CUSTOMER, { features: [0, '30', null, 'one-year', 'Mailed check', 0, 'basic'] }],
        }),
      ),
    );

    expect(parsed).toEqual({
      kind: 'instances',
      rows: [
        CUSTOMER,
        expect.objectContaining({ tenure_months: 0, monthly_charges: 30, total_charges: null, plan: 'basic' }),
      ],
    });
  });

  it.each([
    ['{"instances":', /malformed JSON/],
    ['{"rows":[]}', /expected \{"instances":\[/],
    ['{"instances":[]}', /at least one instance/],
    [
      JSON.stringify({ instances: [{ ...CUSTOMER, plan: true }] }),
      /instances\[0\]\.plan: expected a number, a string or null, got true/,
    ],
    [
      JSON.stringify({ instances: [{ ...CUSTOMER, monthly_charges: undefined }] }),
      /instances\[0\]: column monthly_charges/,
    ],
    [JSON.stringify({ instances: [{ features: [1, 2, 3] }] }), /instances\[0\]\.features: expected 7 values/],
  ])('refuses %s with the reason', (body, reason) => {
    const parsed = parseJsonInstances(bytes(body));

    expect(parsed.kind).toBe('invalid');
    expect(parsed.kind === 'invalid' ? parsed.message : '').toMatch(reason);
  });
});

describe('content negotiation', () => {
  it('reads text/csv and application/json with parameters, nothing else', () => {
    expect(payloadType('text/csv; charset=utf-8')).toBe('text/csv');
    expect(payloadType('Application/JSON')).toBe('application/json');
    expect(payloadType('text/plain')).toBeUndefined();
    expect(payloadType(undefined)).toBeUndefined();
  });

  it("answers in the request's type unless Accept asks for the other one", () => {
    expect(responseType(undefined, 'text/csv')).toBe('text/csv');
    expect(responseType('*/*', 'application/json')).toBe('application/json');
    expect(responseType('application/json', 'text/csv')).toBe('application/json');
    expect(responseType('text/csv;q=0.9, application/json', 'application/json')).toBe('application/json');
    expect(responseType('text/*', 'application/json')).toBe('text/csv');
    expect(responseType('application/x-protobuf', 'text/csv')).toBeUndefined();
  });
});

describe('predictions', () => {
  it('writes one probability per line, or scores with labels at the threshold', () => {
    expect(formatCsvPredictions([0.1234567, 0.9])).toBe('0.123457\n0.900000');
    expect(JSON.parse(formatJsonPredictions([0.1234567, 0.5], 0.5))).toEqual({
      predictions: [
        { score: 0.123457, predicted_label: 0 },
        { score: 0.5, predicted_label: 1 },
      ],
    });
  });
});
