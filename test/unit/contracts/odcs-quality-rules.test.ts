import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { CheckSpec, ContractPlan } from '../../../functions/contracts/contract-plan';
import { ContractDefinitionError, loadContract } from '../../../functions/contracts/odcs-contract';

/** A contract with one schema object `t`; `apiVersion` picks the ODCS version whose syntax the rules use. */
const contractText = (apiVersion: string, schemaObject: object): string =>
  stringify({
    apiVersion,
    kind: 'DataContract',
    id: 'quality-rules-test',
    version: '1.0.0',
    status: 'active',
    schema: [{ name: 't', ...schemaObject }],
  });

/** The plan of a contract whose column `c` (a string) carries `quality`. */
const columnRules = (apiVersion: string, quality: object[], property: object = {}): ContractPlan =>
  loadContract(
    contractText(apiVersion, { properties: [{ name: 'c', logicalType: 'string', ...property, quality }] }),
    'test.yaml',
  ).plan;

const tableRules = (apiVersion: string, quality: object[]): ContractPlan =>
  loadContract(contractText(apiVersion, { properties: [{ name: 'c', logicalType: 'string' }], quality }), 'test.yaml')
    .plan;

/** The checks a plan has beyond `columnPresent` (which every column gets). */
const ruleChecks = (plan: ContractPlan): CheckSpec[] => plan.checks.filter((check) => check.metric !== 'columnPresent');

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error.message;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
};

describe('3.1.0 metric rules', () => {
  it('nullValues', () => {
    expect(ruleChecks(columnRules('v3.1.0', [{ metric: 'nullValues', mustBe: 0 }]))).toEqual([
      {
        id: 'c.nullValues',
        name: 'c has no null values',
        metric: 'nullValues',
        column: 'c',
        threshold: { operator: 'mustBe', value: 0 },
        unit: 'rows',
        severity: 'error',
        source: 'schema[0].properties[0].quality[0]',
      },
    ]);
  });

  it('missingValues with arguments.missingValues, and its default', () => {
    const plan = columnRules('v3.1.0', [
      { metric: 'missingValues', arguments: { missingValues: [null, '', 'N/A'] }, mustBeLessThan: 5, unit: 'percent' },
      { metric: 'missingValues', mustBe: 0 },
    ]);
    expect(ruleChecks(plan).map((c) => [c.id, c.name, c.missingValues, c.unit])).toEqual([
      ['c.missingValues', 'c missing values must be less than 5%', [null, '', 'N/A'], 'percent'],
      ['c.missingValues.2', 'c has no missing values', [null, ''], 'rows'],
    ]);
  });

  it('invalidValues with arguments.validValues, with arguments.pattern, and without arguments', () => {
    const plan = columnRules(
      'v3.1.0',
      [
        { metric: 'invalidValues', arguments: { validValues: ['a', 'b'] }, mustBe: 0 },
        { metric: 'invalidValues', arguments: { pattern: '^[a-z]+$' }, mustBeLessOrEqualTo: 2 },
        { metric: 'invalidValues', mustBeLessThan: 1, unit: 'percent' },
      ],
      { logicalTypeOptions: { maxLength: 3 } },
    );
    expect(ruleChecks(plan).map((c) => [c.id, c.validValues, c.pattern, c.threshold, c.source])).toEqual([
      // The rule without arguments replaces the implicit type check: its threshold is the author's.
      [
        'c.invalidValues',
        undefined,
        undefined,
        { operator: 'mustBeLessThan', value: 1 },
        'schema[0].properties[0].quality[2]',
      ],
      [
        'c.invalidValues.2',
        ['a', 'b'],
        undefined,
        { operator: 'mustBe', value: 0 },
        'schema[0].properties[0].quality[0]',
      ],
      [
        'c.invalidValues.3',
        undefined,
        '^[a-z]+$',
        { operator: 'mustBeLessOrEqualTo', value: 2 },
        'schema[0].properties[0].quality[1]',
      ],
    ]);
  });

  it('duplicateValues at property level and, with one property in arguments.properties, at schema level', () => {
    const property = ruleChecks(columnRules('v3.1.0', [{ metric: 'duplicateValues', mustBe: 0 }]));
    expect(property.map((c) => [c.id, c.name])).toEqual([['c.duplicateValues', 'c has no duplicate values']]);
    const table = ruleChecks(
      tableRules('v3.1.0', [{ metric: 'duplicateValues', arguments: { properties: ['c'] }, mustBe: 0 }]),
    );
    expect(table.map((c) => [c.id, c.column, c.source])).toEqual([['c.duplicateValues', 'c', 'schema[0].quality[0]']]);
  });

  it('rowCount at schema level', () => {
    expect(ruleChecks(tableRules('v3.1.0', [{ metric: 'rowCount', mustBeBetween: [10, 20] }]))).toEqual([
      {
        id: 'schema.rowCount',
        name: 'row count must be between 10 and 20',
        metric: 'rowCount',
        threshold: { operator: 'mustBeBetween', value: [10, 20] },
        unit: 'rows',
        severity: 'error',
        source: 'schema[0].quality[0]',
      },
    ]);
  });

  it('keeps id, dimension and severity', () => {
    const [only] = ruleChecks(
      tableRules('v3.1.0', [
        { id: 'enough_rows', metric: 'rowCount', mustBeGreaterThan: 0, dimension: 'completeness', severity: 'warning' },
      ]),
    );
    expect(only).toMatchObject({ qualityId: 'enough_rows', dimension: 'completeness', severity: 'warning' });
  });
});

describe('operators', () => {
  it.each([
    [{ mustBe: 3 }, { operator: 'mustBe', value: 3 }, 'c null values must be 3'],
    [{ mustNotBe: 3 }, { operator: 'mustNotBe', value: 3 }, 'c null values must not be 3'],
    [{ mustBeGreaterThan: 3 }, { operator: 'mustBeGreaterThan', value: 3 }, 'c null values must be more than 3'],
    [
      { mustBeGreaterOrEqualTo: 3 },
      { operator: 'mustBeGreaterOrEqualTo', value: 3 },
      'c null values must be at least 3',
    ],
    [{ mustBeLessThan: 3 }, { operator: 'mustBeLessThan', value: 3 }, 'c null values must be less than 3'],
    [{ mustBeLessOrEqualTo: 3 }, { operator: 'mustBeLessOrEqualTo', value: 3 }, 'c null values must be at most 3'],
    [{ mustBeBetween: [1, 3] }, { operator: 'mustBeBetween', value: [1, 3] }, 'c null values must be between 1 and 3'],
    [
      { mustNotBeBetween: [1, 3] },
      { operator: 'mustNotBeBetween', value: [1, 3] },
      'c null values must not be between 1 and 3',
    ],
  ])('%j', (operator, threshold, name) => {
    const [only] = ruleChecks(columnRules('v3.1.0', [{ metric: 'nullValues', ...operator }]));
    expect(only?.threshold).toEqual(threshold);
    expect(only?.name).toBe(name);
  });

  it('reads unit percent (and %), rows by default', () => {
    const plan = columnRules('v3.1.0', [
      { metric: 'nullValues', mustBeLessThan: 5, unit: 'percent' },
      { metric: 'nullValues', mustBeLessThan: 6, unit: '%' },
      { metric: 'nullValues', mustBeLessThan: 7 },
    ]);
    expect(ruleChecks(plan).map((c) => [c.unit, c.name])).toEqual([
      ['percent', 'c null values must be less than 5%'],
      ['percent', 'c null values must be less than 6%'],
      ['rows', 'c null values must be less than 7'],
    ]);
  });

  it('reports another unit as not evaluated', () => {
    const plan = columnRules('v3.1.0', [{ metric: 'nullValues', mustBe: 0, unit: 'bytes' }]);
    expect(ruleChecks(plan)).toEqual([]);
    expect(plan.notEvaluated).toEqual([
      { path: 'schema[0].properties[0].quality[0].unit', reason: 'unit "bytes" is not supported (rows or percent)' },
    ]);
  });

  it('maps severities: warning, warn and info report only; an unknown word counts as error with a warning', () => {
    const plan = columnRules('v3.1.0', [
      { metric: 'nullValues', mustBe: 0, severity: 'warning' },
      { metric: 'nullValues', mustBe: 1, severity: 'WARN' },
      { metric: 'nullValues', mustBe: 2, severity: 'info' },
      { metric: 'nullValues', mustBe: 3, severity: 'critical' },
    ]);
    expect(ruleChecks(plan).map((c) => c.severity)).toEqual(['warning', 'warning', 'info', 'error']);
    expect(plan.warnings).toEqual([
      'schema[0].properties[0].quality[3].severity: "critical" is not error, warning or info; treated as error',
    ]);
  });
});

describe('3.0.x rule vocabulary', () => {
  it.each([
    ['nullCheck', 'nullValues'],
    ['notNull', 'nullValues'],
    ['NULLCHECK', 'nullValues'],
    ['duplicateCount', 'duplicateValues'],
    ['unique', 'duplicateValues'],
    ['missingValues', 'missingValues'],
  ])('rule %s -> %s, mustBe 0 when no operator is given', (rule, metric) => {
    const plan = columnRules('v3.0.2', [{ type: 'library', rule }]);
    expect(ruleChecks(plan).map((c) => [c.metric, c.threshold])).toEqual([[metric, { operator: 'mustBe', value: 0 }]]);
    expect(plan.warnings).toEqual([]);
  });

  it('validValues reads its sibling validValues list', () => {
    const [only] = ruleChecks(
      columnRules('v3.0.2', [{ type: 'library', rule: 'validValues', validValues: ['basic', 'premium'], mustBe: 0 }]),
    );
    expect(only).toMatchObject({ metric: 'invalidValues', validValues: ['basic', 'premium'] });
  });

  it('missingValues reads its sibling missingValues list', () => {
    const [only] = ruleChecks(
      columnRules('v3.0.2', [
        { rule: 'missingValues', missingValues: ['', 'n/a'], mustBeLessThan: 10, unit: 'percent' },
      ]),
    );
    expect(only).toMatchObject({ metric: 'missingValues', missingValues: ['', 'n/a'], unit: 'percent' });
  });

  it('makes one check per operator when a 3.0.x rule has several', () => {
    const plan = tableRules('v3.0.2', [{ rule: 'rowCount', mustBeGreaterThan: 10, mustBeLessThan: 100 }]);
    expect(ruleChecks(plan).map((c) => [c.id, c.threshold, c.source])).toEqual([
      ['schema.rowCount', { operator: 'mustBeGreaterThan', value: 10 }, 'schema[0].quality[0]'],
      ['schema.rowCount.2', { operator: 'mustBeLessThan', value: 100 }, 'schema[0].quality[0]'],
    ]);
  });

  it('reports an unknown rule name, a rowCount without threshold and unknown sibling keys as not evaluated', () => {
    const plan = tableRules('v3.0.2', [
      { rule: 'minCheck', customProperties: [{ property: 'min', value: 0 }] },
      { rule: 'rowCount' },
      { rule: 'nullCheck', column: 'c' },
    ]);
    expect(plan.notEvaluated).toEqual([
      {
        path: 'schema[0].quality[0]',
        reason:
          'rule "minCheck" is not in the evaluated vocabulary (nullCheck, notNull, nullValues, missingValues, validValues, invalidValues, duplicateCount, unique, duplicateValues, rowCount); write it as a 3.1 metric or an mlops extension',
      },
      {
        path: 'schema[0].quality[1]',
        reason: 'rowCount without a threshold (mustBe, mustBeGreaterThan, ...) has nothing to compare',
      },
      {
        path: 'schema[0].quality[2].column',
        reason: 'not an argument of rule "nullCheck" (nullValues reads no arguments)',
      },
      {
        path: 'schema[0].quality[2]',
        reason: "nullValues at schema level has no column to count; put the rule under the property's quality",
      },
    ]);
  });
});

describe('3.0 and 3.1 forms give the same plan', () => {
  it('for the REFERENCE 6.5/6.6 rules', () => {
    const v30 = columnRules('v3.0.2', [
      { type: 'library', rule: 'nullCheck', mustBe: 0, unit: 'percent' },
      { type: 'library', rule: 'validValues', validValues: ['basic', 'standard', 'premium'], mustBe: 0 },
    ]);
    const v31 = columnRules('v3.1.0', [
      { metric: 'nullValues', mustBe: 0, unit: 'percent' },
      { metric: 'invalidValues', arguments: { validValues: ['basic', 'standard', 'premium'] }, mustBe: 0 },
    ]);
    expect(v31.checks).toEqual(v30.checks);
    expect(v31.columns).toEqual(v30.columns);
  });
});

describe('rules that are not run', () => {
  it('sql, custom and text rules are reported with their path', () => {
    const plan = tableRules('v3.1.0', [
      { type: 'sql', query: 'select count(*) from t', mustBe: 0 },
      { type: 'custom', engine: 'great-expectations', implementation: { expectation: 'x' } },
      { type: 'text', description: 'looks right' },
    ]);
    expect(ruleChecks(plan)).toEqual([]);
    expect(plan.notEvaluated).toEqual([
      {
        path: 'schema[0].quality[0]',
        reason: 'SQL rules are not run: the validator streams files and has no SQL engine',
      },
      { path: 'schema[0].quality[1]', reason: 'custom rules are not run (engine "great-expectations")' },
      { path: 'schema[0].quality[2]', reason: 'a text rule is a description for people; there is nothing to run' },
    ]);
  });

  it('duplicateValues over several properties is not evaluated', () => {
    const plan = loadContract(
      contractText('v3.1.0', {
        properties: [
          { name: 'a', logicalType: 'string' },
          { name: 'b', logicalType: 'string' },
        ],
        quality: [{ metric: 'duplicateValues', arguments: { properties: ['a', 'b'] }, mustBe: 0 }],
      }),
      'test.yaml',
    ).plan;
    expect(plan.notEvaluated).toEqual([
      {
        path: 'schema[0].quality[0]',
        reason: 'uniqueness of the combination (a, b) is not checked; only single columns are',
      },
    ]);
  });
});

describe('broken rules', () => {
  it('refuses arguments a metric does not read, and a broken pattern', () => {
    expect(
      messageOf(() =>
        columnRules('v3.1.0', [
          { metric: 'invalidValues', arguments: { validValue: ['a'] }, mustBe: 0 },
          { metric: 'invalidValues', arguments: { pattern: '[' }, mustBe: 0 },
          { metric: 'nullValues', arguments: { missingValues: [''] }, mustBe: 0 },
        ]),
      ),
    ).toBe(
      [
        'test.yaml: schema[0].properties[0].quality[0].arguments.validValue: expected validValues or pattern for invalidValues, got unknown argument "validValue"',
        'test.yaml: schema[0].properties[0].quality[1].arguments.pattern: expected an ECMA-262 regular expression, got "[" (Invalid regular expression: /[/: Unterminated character class)',
        'test.yaml: schema[0].properties[0].quality[2].arguments.missingValues: expected no arguments for nullValues, got "missingValues"',
      ].join('\n'),
    );
  });

  it('refuses a 3.0.x validValues rule without its list, and thresholds that cannot be counts', () => {
    expect(
      messageOf(() =>
        columnRules('v3.0.2', [
          { rule: 'validValues', mustBe: 0 },
          { rule: 'nullCheck', mustBe: 'none' },
          { rule: 'nullCheck', mustBeLessThan: 120, unit: 'percent' },
          { rule: 'nullCheck', mustBeBetween: [5, 1] },
        ]),
      ),
    ).toBe(
      [
        'test.yaml: schema[0].properties[0].quality[0]: expected a validValues list (or a pattern) next to rule "validValues", got neither',
        'test.yaml: schema[0].properties[0].quality[1].mustBe: expected a number (the rows counted), got "none"',
        'test.yaml: schema[0].properties[0].quality[2].mustBeLessThan: expected a percentage between 0 and 100 (the percent counted), got 120',
        'test.yaml: schema[0].properties[0].quality[3].mustBeBetween: expected the smaller number first, got [5,1]',
      ].join('\n'),
    );
  });

  it('points at the sibling key of a 3.0.x rule, and at arguments when they are used', () => {
    expect(
      messageOf(() =>
        columnRules('v3.0.2', [
          { rule: 'validValues', validValues: [{ a: 1 }], mustBe: 0 },
          { rule: 'validValues', arguments: { validValues: [] }, mustBe: 0 },
          { rule: 'nullCheck', arguments: [1] },
        ]),
      ),
    ).toBe(
      [
        'test.yaml: schema[0].properties[0].quality[0].validValues: expected a non-empty list of strings, numbers or booleans, got [{"a":1}]',
        'test.yaml: schema[0].properties[0].quality[1].arguments.validValues: expected a non-empty list of strings, numbers or booleans, got []',
        'test.yaml: schema[0].properties[0].quality[2].arguments: expected a mapping of arguments, got [1]',
      ].join('\n'),
    );
  });

  it('refuses rowCount in percent', () => {
    expect(messageOf(() => tableRules('v3.1.0', [{ metric: 'rowCount', mustBe: 1, unit: 'percent' }]))).toBe(
      'test.yaml: schema[0].quality[0].unit: expected rows (rowCount counts rows), got "percent"',
    );
  });
});
