import { describe, expect, it } from 'vitest';
import { ContractDefinitionError, loadContract } from '../../../functions/contracts/odcs-contract';

const HEADER = `apiVersion: v3.1.0
kind: DataContract
id: broken
version: 1.0.0
status: active
`;

/** The definition error loading `text` gives (parse and compile), failing the test when there is none. */
function refusal(text: string, schemaName?: string): ContractDefinitionError {
  try {
    loadContract(text, 'broken.yaml', schemaName === undefined ? {} : { schemaName });
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
}

describe('broken contracts are refused with every problem, one line each', () => {
  it.each([
    [
      'a file that is not YAML',
      'apiVersion: [v3.1.0\n',
      'broken.yaml: invalid YAML at line 2, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    ],
    [
      'a key given twice',
      `${HEADER}status: draft\n`,
      'broken.yaml: invalid YAML at line 6, column 1: duplicate key "status"',
    ],
    [
      'a list instead of a contract',
      '- apiVersion: v3.1.0\n',
      'broken.yaml: expected a mapping (an ODCS data contract), got [{"apiVersion":"v3.1.0"}]',
    ],
    ['an empty file', '', 'broken.yaml: expected a mapping (an ODCS data contract), got nothing'],
    [
      'an unknown apiVersion',
      HEADER.replace('v3.1.0', 'v3.2.0'),
      'broken.yaml: apiVersion: expected one of "v3.1.0", "v3.0.2", "v3.0.1", "v3.0.0", "v2.2.2", "v2.2.1", "v2.2.0", got "v3.2.0"',
    ],
    [
      'a wrong kind and a logicalType ODCS does not have',
      `${HEADER.replace('kind: DataContract', 'kind: Contract')}schema:
  - name: t
    properties:
      - name: c
        logicalType: text
`,
      [
        'broken.yaml: kind: expected one of "DataContract", got "Contract"',
        'broken.yaml: schema[0].properties[0].logicalType: expected one of "string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean", got "text"',
      ].join('\n'),
    ],
    [
      'a 3.1.0 rule with two operators and one with none',
      `${HEADER}schema:
  - name: t
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
        mustBeLessThan: 10
      - metric: rowCount
`,
      [
        'broken.yaml: schema[0].quality[0]: expected exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween, got mustBeGreaterThan and mustBeLessThan',
        'broken.yaml: schema[0].quality[1]: expected exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween, got none',
      ].join('\n'),
    ],
    [
      'an unknown key on a property (extensions go in customProperties)',
      `${HEADER}schema:
  - name: t
    properties:
      - name: c
        logicalType: string
        nullable: false
`,
      'broken.yaml: schema[0].properties[0].nullable: expected a field defined by ODCS 3.1.0 (extensions go in customProperties), got unknown key "nullable"',
    ],
    [
      'a date bound written as a number',
      `${HEADER}schema:
  - name: t
    properties:
      - name: d
        logicalType: date
        logicalTypeOptions:
          maximum: 2021
`,
      'broken.yaml: schema[0].properties[0].logicalTypeOptions.maximum: expected a string, got 2021 (date and time bounds are strings: quote them, e.g. maximum: "2020-01-01")',
    ],
    [
      'a 3.0.x exclusive bound given as a number',
      `${HEADER.replace('v3.1.0', 'v3.0.2')}schema:
  - name: t
    properties:
      - name: n
        logicalType: number
        logicalTypeOptions:
          minimum: 0
          exclusiveMinimum: 0
          required: [x]
`,
      // Invalid under 3.0.2 (its apiVersion) and under 3.1.0 (`required` is no number option): 3.0.2's problems.
      [
        'broken.yaml: schema[0].properties[0].logicalTypeOptions.exclusiveMinimum: expected true or false, got 0 (in ODCS 3.0.2 exclusiveMinimum is true or false and applies to minimum; a bound is the 3.1.0 form)',
        'broken.yaml: schema[0].properties[0].logicalTypeOptions.required: expected a field defined by ODCS 3.0.2 (extensions go in customProperties), got unknown key "required"',
      ].join('\n'),
    ],
    [
      'a custom property without value and a server without its required keys',
      `${HEADER}servers:
  - server: s
    type: s3
customProperties:
  - property: mlops.allowExtraColumns
`,
      [
        'broken.yaml: servers[0].location: expected a string (required), got nothing',
        'broken.yaml: customProperties[0].value: expected a value (required), got nothing',
      ].join('\n'),
    ],
  ])('%s', (_, text, message) => {
    const error = refusal(text);
    expect(error).toBeInstanceOf(ContractDefinitionError);
    expect(error.name).toBe('ContractDefinitionError');
    expect(error.message).toBe(message);
    expect(error.problems).toHaveLength(message.split('\n').length);
  });

  it('collects compile problems from every part of the contract before refusing', () => {
    const error = refusal(`${HEADER}schema:
  - name: t
    customProperties:
      - property: mlops.freshness
        value: {column: c, maxAgeSeconds: -5}
    properties:
      - name: c
        logicalType: string
        logicalTypeOptions: {pattern: "a("}
        quality:
          - metric: invalidValues
            arguments: {validValues: []}
            mustBe: 0
          - metric: nullValues
            mustNotBeBetween: [3, 3.5]
            unit: percent
          - metric: nullValues
            mustNotBeBetween: [3, 101]
            unit: percent
`);
    expect(error.problems).toEqual([
      {
        path: 'schema[0].customProperties[0].value.maxAgeSeconds',
        message: 'expected a positive number, got -5',
        line: 10,
      },
      {
        path: 'schema[0].properties[0].logicalTypeOptions.pattern',
        message:
          'expected an ECMA-262 regular expression, got "a(" (Invalid regular expression: /a(/: Unterminated group)',
        line: 14,
      },
      {
        path: 'schema[0].properties[0].quality[0].arguments.validValues',
        message: 'expected a non-empty list of strings, numbers or booleans, got []',
        line: 17,
      },
      {
        path: 'schema[0].properties[0].quality[2].mustNotBeBetween',
        message: 'expected a list of two numbers [low, high], got [3,101]',
        line: 23,
      },
    ]);
  });

  it('refuses a contract with several schema objects and no schema name', () => {
    const text = `${HEADER}schema:
  - name: a
  - name: b
`;
    expect(refusal(text).message).toBe(
      'broken.yaml: schema: expected one schema object or a schemaName, got 2 ("a", "b")',
    );
    expect(refusal(text, 'c').message).toBe('broken.yaml: schema: expected a schema object named "c", got "a", "b"');
  });

  it('gives a line for each problem found by the schema', () => {
    const error = refusal(`${HEADER}schema:
  - name: t
    properties:
      - name: c
        logicalType: text
`);
    expect(error.problems.map((problem) => problem.line)).toEqual([10]);
  });
});
