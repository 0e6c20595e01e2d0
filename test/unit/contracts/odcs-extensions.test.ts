import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DEFAULT_LIMITS, type ContractPlan } from '../../../functions/contracts/contract-plan';
import { ContractDefinitionError, loadContract } from '../../../functions/contracts/odcs-contract';
import { durationSeconds } from '../../../functions/contracts/odcs-extensions';

const PROPERTIES = [
  { name: 'id', logicalType: 'string', primaryKey: true },
  { name: 'snapshot_date', logicalType: 'date' },
  { name: 'updated_at', physicalName: 'updated', logicalType: 'timestamp' },
  { name: 'tenure', logicalType: 'integer' },
  { name: 'charges', logicalType: 'number' },
  { name: 'plan', logicalType: 'string' },
  { name: 'email', logicalType: 'string', logicalTypeOptions: { format: 'email' } },
  { name: 'active', logicalType: 'boolean' },
  { name: 'details', logicalType: 'object' },
];

type Custom = { property: string; value: unknown }[];

/** A contract whose top level and schema object carry `top` and `object` custom properties. */
const contractText = (top: Custom, object: Custom = [], properties: object[] = PROPERTIES): string =>
  stringify({
    apiVersion: 'v3.1.0',
    kind: 'DataContract',
    id: 'extensions-test',
    version: '1.0.0',
    status: 'active',
    schema: [{ name: 't', properties, ...(object.length === 0 ? {} : { customProperties: object }) }],
    ...(top.length === 0 ? {} : { customProperties: top }),
  });

const planOf = (top: Custom, object: Custom = [], properties?: object[]): ContractPlan =>
  loadContract(contractText(top, object, properties), 'test.yaml').plan;

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error.message;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
};

const withDrift = (drift: unknown, extra: object = {}): object[] =>
  PROPERTIES.map((property) =>
    property.name === 'plan'
      ? { ...property, ...extra, customProperties: [{ property: 'mlops.drift', value: drift }] }
      : property,
  );

describe('mlops.allowExtraColumns', () => {
  it('is false by default; the schema object overrides the contract', () => {
    expect(planOf([]).allowExtraColumns).toBe(false);
    expect(planOf([{ property: 'mlops.allowExtraColumns', value: true }]).allowExtraColumns).toBe(true);
    expect(
      planOf(
        [{ property: 'mlops.allowExtraColumns', value: true }],
        [{ property: 'mlops.allowExtraColumns', value: false }],
      ).allowExtraColumns,
    ).toBe(false);
  });

  it('leaves other tools’ custom properties alone', () => {
    const plan = planOf([{ property: 'refRulesetName', value: 'x' }], [{ property: 'business-key', value: ['id'] }]);
    expect(plan.notEvaluated.filter((entry) => entry.path.includes('customProperties'))).toEqual([]);
    expect(plan.warnings).toEqual([]);
  });
});

describe('mlops.freshness', () => {
  it('takes maxAgeSeconds', () => {
    const plan = planOf([{ property: 'mlops.freshness', value: { column: 'snapshot_date', maxAgeSeconds: 172800 } }]);
    expect(plan.checks.filter((c) => c.metric === 'freshness')).toEqual([
      {
        id: 'snapshot_date.freshness',
        name: 'newest snapshot_date must be at most 172800 seconds old',
        metric: 'freshness',
        column: 'snapshot_date',
        threshold: { operator: 'mustBeLessOrEqualTo', value: 172800 },
        unit: 'seconds',
        severity: 'error',
        source: 'customProperties[0].value',
      },
    ]);
  });

  it('takes an ISO-8601 maxAge and a property name whose column has another physical name', () => {
    const plan = planOf(
      [],
      [{ property: 'mlops.freshness', value: { column: 'updated_at', maxAge: 'PT6H', severity: 'warning' } }],
    );
    expect(plan.checks.find((c) => c.metric === 'freshness')).toMatchObject({
      id: 'updated.freshness',
      column: 'updated',
      threshold: { operator: 'mustBeLessOrEqualTo', value: 21600 },
      severity: 'warning',
      source: 'schema[0].customProperties[0].value',
    });
  });

  it.each([
    ['P1D', 86400],
    ['PT36H', 129600],
    ['P1DT12H', 129600],
    ['P2W', 1209600],
    ['PT1.5S', 1.5],
    ['PT90M', 5400],
  ])('reads %s as %d seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['P1Y', 'P1M', 'P', 'PT', '1D', 'P0D', 'p1d'])('refuses %s', (text) => {
    expect(durationSeconds(text)).toBeUndefined();
  });

  it('refuses a column that is not a declared date or timestamp, and a bad duration', () => {
    expect(messageOf(() => planOf([{ property: 'mlops.freshness', value: { column: 'tenure', maxAge: 'P1M' } }]))).toBe(
      'test.yaml: customProperties[0].value.maxAge: expected an ISO-8601 duration in weeks, days, hours, minutes or seconds such as "P1D" or "PT6H", got "P1M"',
    );
    expect(messageOf(() => planOf([{ property: 'mlops.freshness', value: { column: 'tenure', maxAge: 'P1D' } }]))).toBe(
      'test.yaml: customProperties[0].value.column: expected a date or timestamp column, got "tenure" (integer)',
    );
    expect(
      messageOf(() => planOf([{ property: 'mlops.freshness', value: { column: 'nope', maxAgeSeconds: 1 } }])),
    ).toBe('test.yaml: customProperties[0].value.column: expected the name of a declared property, got "nope"');
  });
});

describe('mlops.drift', () => {
  it('checks every numeric or categorical column by default (not keys, formatted text, dates or objects)', () => {
    const plan = planOf([{ property: 'mlops.drift', value: {} }]);
    expect(plan.checks.filter((c) => c.metric === 'drift').map((c) => [c.id, c.name, c.threshold])).toEqual([
      ['tenure.drift', 'tenure drift (PSI) must be less than 0.2', { operator: 'mustBeLessThan', value: 0.2 }],
      ['charges.drift', 'charges drift (PSI) must be less than 0.2', { operator: 'mustBeLessThan', value: 0.2 }],
      ['plan.drift', 'plan drift (PSI) must be less than 0.2', { operator: 'mustBeLessThan', value: 0.2 }],
      ['active.drift', 'active drift (PSI) must be less than 0.2', { operator: 'mustBeLessThan', value: 0.2 }],
    ]);
    expect(plan.checks.find((c) => c.metric === 'drift')).toMatchObject({ unit: 'psi', severity: 'error' });
  });

  it('takes a threshold, a column list, minRows and severity', () => {
    const plan = planOf([
      {
        property: 'mlops.drift',
        value: { psiThreshold: 0.25, columns: ['tenure', 'plan'], minRows: 500, severity: 'warning' },
      },
    ]);
    expect(plan.checks.filter((c) => c.metric === 'drift')).toEqual([
      {
        id: 'tenure.drift',
        name: 'tenure drift (PSI) must be less than 0.25',
        metric: 'drift',
        column: 'tenure',
        threshold: { operator: 'mustBeLessThan', value: 0.25 },
        unit: 'psi',
        minRows: 500,
        severity: 'warning',
        source: 'customProperties[0].value',
      },
      {
        id: 'plan.drift',
        name: 'plan drift (PSI) must be less than 0.25',
        metric: 'drift',
        column: 'plan',
        threshold: { operator: 'mustBeLessThan', value: 0.25 },
        unit: 'psi',
        minRows: 500,
        severity: 'warning',
        source: 'customProperties[0].value',
      },
    ]);
  });

  it('lets a property set its own threshold or opt out', () => {
    const tuned = planOf([{ property: 'mlops.drift', value: {} }], [], withDrift(0.4));
    expect(tuned.checks.find((c) => c.id === 'plan.drift')).toMatchObject({
      threshold: { operator: 'mustBeLessThan', value: 0.4 },
      source: 'schema[0].properties[5].customProperties[0].value',
    });
    const objectForm = planOf([{ property: 'mlops.drift', value: {} }], [], withDrift({ psiThreshold: 0.3 }));
    expect(objectForm.checks.find((c) => c.id === 'plan.drift')?.threshold).toEqual({
      operator: 'mustBeLessThan',
      value: 0.3,
    });
    const excluded = planOf([{ property: 'mlops.drift', value: {} }], [], withDrift(false));
    expect(excluded.checks.filter((c) => c.metric === 'drift').map((c) => c.column)).toEqual([
      'tenure',
      'charges',
      'active',
    ]);
  });

  it('turns drift on for one column from the property alone', () => {
    const plan = planOf([], [], withDrift(true));
    expect(plan.checks.filter((c) => c.metric === 'drift').map((c) => [c.id, c.threshold])).toEqual([
      ['plan.drift', { operator: 'mustBeLessThan', value: 0.2 }],
    ]);
  });

  it('refuses columns it cannot compute drift for, and contradictions', () => {
    expect(
      messageOf(() =>
        planOf([
          { property: 'mlops.drift', value: { columns: ['snapshot_date', 'nope', 'details'], psiThreshold: 0 } },
        ]),
      ),
    ).toBe(
      [
        'test.yaml: customProperties[0].value.psiThreshold: expected a positive number, got 0',
        'test.yaml: customProperties[0].value.columns[0]: expected a numeric or categorical column, got "snapshot_date" (date)',
        'test.yaml: customProperties[0].value.columns[1]: expected the name of a declared property, got "nope"',
        'test.yaml: customProperties[0].value.columns[2]: expected a numeric or categorical column, got "details" (object)',
      ].join('\n'),
    );
    expect(
      messageOf(() => planOf([{ property: 'mlops.drift', value: { columns: ['plan'] } }], [], withDrift(false))),
    ).toBe(
      'test.yaml: schema[0].properties[5].customProperties[0].value: expected the column not to be listed in mlops.drift columns (customProperties[0].value.columns[0]) when it is excluded here, got both',
    );
    expect(messageOf(() => planOf([], [], withDrift('high')))).toBe(
      'test.yaml: schema[0].properties[5].customProperties[0].value: expected false (exclude the column), true, a PSI threshold such as 0.25, or {psiThreshold}, got "high"',
    );
  });
});

describe('mlops.limits', () => {
  it('overrides the defaults key by key; the schema object wins', () => {
    const plan = planOf(
      [{ property: 'mlops.limits', value: { maxBytes: 1000, maxColumns: 10 } }],
      [{ property: 'mlops.limits', value: { maxColumns: 20 } }],
    );
    expect(plan.limits).toEqual({ maxBytes: 1000, maxLineBytes: DEFAULT_LIMITS.maxLineBytes, maxColumns: 20 });
    expect(planOf([]).limits).toEqual(DEFAULT_LIMITS);
  });

  it('refuses anything but positive integers and unknown keys', () => {
    expect(messageOf(() => planOf([{ property: 'mlops.limits', value: { maxBytes: -1, maxByte: 5 } }]))).toBe(
      [
        'test.yaml: customProperties[0].value.maxByte: expected one of the keys maxBytes, maxLineBytes, maxColumns, got unknown key "maxByte" (did you mean "maxBytes"?)',
        'test.yaml: customProperties[0].value.maxBytes: expected a positive integer, got -1',
      ].join('\n'),
    );
  });
});

describe('mlops names', () => {
  it('refuses a misspelt extension, one given twice, and an object-level extension on a property', () => {
    expect(
      messageOf(() =>
        planOf(
          [
            { property: 'mlops.allowExtraColumn', value: true },
            { property: 'mlops.drift', value: {} },
            { property: 'mlops.drift', value: {} },
          ],
          [],
          PROPERTIES.map((property) =>
            property.name === 'plan'
              ? { ...property, customProperties: [{ property: 'mlops.allowExtraColumns', value: true }] }
              : property,
          ),
        ),
      ),
    ).toBe(
      [
        'test.yaml: customProperties[0].property: expected one of "mlops.allowExtraColumns", "mlops.freshness", "mlops.drift", "mlops.limits", got unknown extension "mlops.allowExtraColumn" (did you mean "mlops.allowExtraColumns"?)',
        'test.yaml: customProperties[2].property: expected "mlops.drift" once, got it again',
        'test.yaml: schema[0].properties[5].customProperties[0].property: expected "mlops.drift" on a property, got "mlops.allowExtraColumns" (it belongs on the contract or a schema object)',
      ].join('\n'),
    );
  });

  it('refuses a non-boolean allowExtraColumns', () => {
    expect(messageOf(() => planOf([{ property: 'mlops.allowExtraColumns', value: 'yes' }]))).toBe(
      'test.yaml: customProperties[0].value: expected true or false, got "yes"',
    );
  });
});
