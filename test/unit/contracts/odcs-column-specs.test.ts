import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { ColumnSpec, ContractPlan } from '../../../functions/contracts/contract-plan';
import { ContractDefinitionError, loadContract } from '../../../functions/contracts/odcs-contract';

const planOf = (apiVersion: string, properties: object[]): ContractPlan =>
  loadContract(
    stringify({
      apiVersion,
      kind: 'DataContract',
      id: 'column-specs-test',
      version: '1.0.0',
      status: 'active',
      schema: [{ name: 't', properties }],
    }),
    'test.yaml',
  ).plan;

const columnOf = (apiVersion: string, property: object): ColumnSpec => {
  const [column] = planOf(apiVersion, [{ name: 'c', ...property }]).columns;
  if (column === undefined) throw new Error('no column');
  return column;
};

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error.message;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
};

describe('logicalTypeOptions: 3.0.x booleans and 3.1.0 bounds give the same spec', () => {
  it('exclusive numeric bounds', () => {
    const v30 = columnOf('v3.0.2', {
      logicalType: 'integer',
      logicalTypeOptions: { minimum: 18, maximum: 100, exclusiveMaximum: true, exclusiveMinimum: false },
    });
    const v31 = columnOf('v3.1.0', {
      logicalType: 'integer',
      logicalTypeOptions: { minimum: 18, exclusiveMaximum: 100 },
    });
    expect(v31).toEqual(v30);
    expect(v31).toEqual({
      name: 'c',
      property: 'c',
      logicalType: 'integer',
      required: false,
      unique: false,
      primaryKey: false,
      minimum: 18,
      maximum: 100,
      exclusiveMaximum: true,
    });
  });

  it('exclusive date bounds stay strings', () => {
    const v30 = columnOf('v3.0.2', {
      logicalType: 'date',
      logicalTypeOptions: { minimum: '2020-01-01', exclusiveMinimum: true, format: 'yyyy-MM-dd' },
    });
    const v31 = columnOf('v3.1.0', {
      logicalType: 'date',
      logicalTypeOptions: { exclusiveMinimum: '2020-01-01', format: 'yyyy-MM-dd' },
    });
    expect(v31).toEqual(v30);
    expect(v31).toMatchObject({ minimum: '2020-01-01', exclusiveMinimum: true, format: 'yyyy-MM-dd' });
  });

  it('keeps the stricter of an inclusive and an exclusive 3.1.0 bound', () => {
    expect(
      columnOf('v3.1.0', { logicalType: 'number', logicalTypeOptions: { minimum: 0, exclusiveMinimum: 0 } }),
    ).toMatchObject({ minimum: 0, exclusiveMinimum: true });
    expect(
      columnOf('v3.1.0', { logicalType: 'number', logicalTypeOptions: { minimum: 5, exclusiveMinimum: 0 } }),
    ).not.toHaveProperty('exclusiveMinimum');
    expect(
      columnOf('v3.1.0', {
        logicalType: 'timestamp',
        logicalTypeOptions: { maximum: '2021-01-01 00:00:00', exclusiveMaximum: '2020-06-01 00:00:00' },
      }),
    ).toMatchObject({ maximum: '2020-06-01 00:00:00', exclusiveMaximum: true });
  });

  it('warns about a 3.0.x exclusive flag without its bound', () => {
    const plan = planOf('v3.0.2', [
      { name: 'c', logicalType: 'number', logicalTypeOptions: { exclusiveMaximum: true } },
    ]);
    expect(plan.warnings).toEqual([
      'schema[0].properties[0].logicalTypeOptions.exclusiveMaximum: true without maximum has no effect',
    ]);
    expect(plan.columns[0]).not.toHaveProperty('maximum');
  });

  it('reads string options and the formats the engine checks', () => {
    const plan = planOf('v3.1.0', [
      {
        name: 'id',
        logicalType: 'string',
        logicalTypeOptions: { minLength: 11, maxLength: 11, pattern: 'ACC[0-9]{8}' },
      },
      { name: 'mail', logicalType: 'string', logicalTypeOptions: { format: 'email' } },
      { name: 'secret', logicalType: 'string', logicalTypeOptions: { format: 'password' } },
    ]);
    expect(
      plan.columns.map(({ name, minLength, maxLength, pattern, format }) => ({
        name,
        minLength,
        maxLength,
        pattern,
        format,
      })),
    ).toEqual([
      { name: 'id', minLength: 11, maxLength: 11, pattern: 'ACC[0-9]{8}', format: undefined },
      { name: 'mail', minLength: undefined, maxLength: undefined, pattern: undefined, format: 'email' },
      { name: 'secret', minLength: undefined, maxLength: undefined, pattern: undefined, format: undefined },
    ]);
    expect(plan.notEvaluated).toEqual([
      {
        path: 'schema[0].properties[2].logicalTypeOptions.format',
        reason: 'string format "password" is not checked (email, uuid, uri, hostname, ipv4, ipv6 are)',
      },
    ]);
    // secret has no option the engine checks, so no invalidValues check is planned for it.
    expect(plan.checks.map((c) => c.id)).toEqual([
      'id.columnPresent',
      'id.invalidValues',
      'mail.columnPresent',
      'mail.invalidValues',
      'secret.columnPresent',
    ]);
  });

  it('reports numeric format, multipleOf and time zone options as not evaluated', () => {
    const plan = planOf('v3.1.0', [
      { name: 'n', logicalType: 'integer', logicalTypeOptions: { format: 'i64', multipleOf: 5 } },
      { name: 'ts', logicalType: 'timestamp', logicalTypeOptions: { timezone: true, defaultTimezone: 'Europe/Paris' } },
    ]);
    expect(plan.notEvaluated).toEqual([
      {
        path: 'schema[0].properties[0].logicalTypeOptions.format',
        reason: 'the bit width (i32, i64, f32, ...) of a number is not checked',
      },
      { path: 'schema[0].properties[0].logicalTypeOptions.multipleOf', reason: 'multipleOf is not checked' },
      {
        path: 'schema[0].properties[1].logicalTypeOptions.timezone',
        reason: 'whether a value carries a time zone is not checked',
      },
      {
        path: 'schema[0].properties[1].logicalTypeOptions.defaultTimezone',
        reason: 'the default time zone is not applied; bounds are compared as written',
      },
    ]);
  });
});

describe('declarations', () => {
  it('uses physicalName as the column name and keeps the property name for reports', () => {
    expect(columnOf('v3.1.0', { physicalName: 'txn_ref_dt', logicalType: 'date' })).toMatchObject({
      name: 'txn_ref_dt',
      property: 'c',
    });
  });

  it('plans presence for every column, nulls for required, duplicates for unique, and a type check', () => {
    const plan = planOf('v3.1.0', [
      { name: 'a', logicalType: 'integer', required: true, unique: true },
      { name: 'b', logicalType: 'boolean' },
    ]);
    expect(plan.checks.map((c) => `${c.id} <- ${c.source}`)).toEqual([
      'a.columnPresent <- schema[0].properties[0]',
      'a.nullValues <- schema[0].properties[0].required',
      'a.duplicateValues <- schema[0].properties[0].unique',
      'a.invalidValues <- schema[0].properties[0].logicalType',
      'b.columnPresent <- schema[0].properties[1]',
      'b.invalidValues <- schema[0].properties[1].logicalType',
    ]);
  });

  it('makes a single-column primary key required and unique', () => {
    const plan = planOf('v3.1.0', [{ name: 'id', logicalType: 'string', primaryKey: true }]);
    expect(plan.columns[0]).toMatchObject({ required: true, unique: true, primaryKey: true });
    expect(plan.checks.map((c) => `${c.id} <- ${c.source}`)).toEqual([
      'id.columnPresent <- schema[0].properties[0]',
      'id.nullValues <- schema[0].properties[0].primaryKey',
      'id.duplicateValues <- schema[0].properties[0].primaryKey',
    ]);
  });

  it('does not type-check object, array and time columns, nor columns without logicalType', () => {
    const plan = planOf('v3.1.0', [
      { name: 'o', logicalType: 'object', properties: [{ name: 'x', logicalType: 'string' }] },
      { name: 'a', logicalType: 'array', items: { logicalType: 'string' }, logicalTypeOptions: { maxItems: 3 } },
      { name: 't', logicalType: 'time', required: true },
      { name: 'u' },
    ]);
    expect(plan.columns.map((c) => [c.name, c.logicalType, c.typeChecked, c.required])).toEqual([
      ['o', 'string', false, false],
      ['a', 'string', false, false],
      ['t', 'string', false, true],
      ['u', 'string', false, false],
    ]);
    expect(plan.checks.map((c) => c.id)).toEqual([
      'o.columnPresent',
      'a.columnPresent',
      't.columnPresent',
      't.nullValues',
      'u.columnPresent',
    ]);
    expect(plan.notEvaluated.map((entry) => entry.path)).toEqual([
      'schema[0].properties[0].logicalType',
      'schema[0].properties[0].properties',
      'schema[0].properties[1].logicalType',
      'schema[0].properties[1].items',
      'schema[0].properties[1].logicalTypeOptions',
      'schema[0].properties[2].logicalType',
    ]);
    expect(plan.warnings).toEqual(['schema[0].properties[3]: no logicalType; the values of u are not type-checked']);
  });

  it('reports partitioned, classification, encryptedName, relationships and authoritativeDefinitions', () => {
    const plan = planOf('v3.1.0', [
      {
        name: 'c',
        logicalType: 'string',
        partitioned: true,
        classification: 'restricted',
        encryptedName: 'c_enc',
        relationships: [{ to: 'other.id' }],
        authoritativeDefinitions: [{ type: 'businessDefinition', url: 'https://example.com/c' }],
        // Descriptive keys need no entry.
        description: 'd',
        businessName: 'C',
        tags: ['x'],
        examples: ['a'],
        criticalDataElement: true,
        transformLogic: 'select 1',
      },
      { name: 'd', logicalType: 'string', partitioned: false },
    ]);
    expect(plan.notEvaluated.map((entry) => entry.path)).toEqual([
      'schema[0].properties[0].partitioned',
      'schema[0].properties[0].classification',
      'schema[0].properties[0].encryptedName',
      'schema[0].properties[0].relationships',
      'schema[0].properties[0].authoritativeDefinitions',
    ]);
  });
});

describe('broken declarations', () => {
  it('refuses a date bound that is not a string, with the hint to quote it', () => {
    expect(
      messageOf(() =>
        planOf('v3.1.0', [{ name: 'd', logicalType: 'date', logicalTypeOptions: { minimum: 20200101 } }]),
      ),
    ).toBe(
      'test.yaml: schema[0].properties[0].logicalTypeOptions.minimum: expected a string, got 20200101 (date and time bounds are strings: quote them, e.g. minimum: "2020-01-01")',
    );
  });

  it('refuses bounds in the wrong order, lengths in the wrong order, a broken pattern and a repeated column', () => {
    expect(
      messageOf(() =>
        planOf('v3.1.0', [
          { name: 'n', logicalType: 'number', logicalTypeOptions: { minimum: 10, maximum: 1 } },
          { name: 's', logicalType: 'string', logicalTypeOptions: { minLength: 5, maxLength: 2, pattern: '(' } },
          { name: 'n2', physicalName: 'n', logicalType: 'string' },
        ]),
      ),
    ).toBe(
      [
        'test.yaml: schema[0].properties[0].logicalTypeOptions: expected the lower bound below the upper bound, got 10 to 1',
        'test.yaml: schema[0].properties[1].logicalTypeOptions.maxLength: expected at least minLength (5), got 2',
        'test.yaml: schema[0].properties[1].logicalTypeOptions.pattern: expected an ECMA-262 regular expression, got "(" (Invalid regular expression: /(/: Unterminated group)',
        'test.yaml: schema[0].properties[2].physicalName: expected a column name not used before, got "n" (also schema[0].properties[0])',
      ].join('\n'),
    );
  });
});
