import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckSpec, ContractPlan } from '../../../functions/contracts/contract-plan';
import {
  compileContract,
  ContractDefinitionError,
  loadContract,
  parseContract,
} from '../../../functions/contracts/odcs-contract';
import { SAMPLES_DIR, sample } from '../../fixtures/samples';

const PROJECT_ROOT = path.resolve(import.meta.dirname, '../../..');

const read = (relativePath: string): string => readFileSync(sample(relativePath), 'utf8');

/** The error a call throws, failing the test when it does not throw one. */
function definitionError(run: () => unknown): ContractDefinitionError {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
}

const examples = (version: 'v3.0' | 'v3.1'): string[] =>
  readdirSync(path.join(SAMPLES_DIR, 'odcs', version), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.yaml'))
    .map((file) => `odcs/${version}/${file.split(path.sep).join('/')}`)
    .sort();

/** Official examples without any schema object: valid ODCS, but there is nothing to check data against. */
const WITHOUT_SCHEMA_OBJECTS = new Set([
  'roles/service-and-operational-roles.odcs.yaml',
  'server/azure-server.odcs.yaml',
  'sla/database-table-sla.odcs.yaml',
  'stakeholders/basic-four-dpo.odcs.yaml',
]);

/** Examples whose apiVersion says 3.0.2 but whose syntax is 3.1 (SOURCES.md: they pass 3.1.0, fail 3.0.2). */
const READ_AS_3_1 = new Set([
  'odcs/v3.1/data-types/all-data-types.odcs.yaml',
  'odcs/v3.1/quality/column-completeness.odcs.yaml',
  'odcs/v3.1/stakeholders/basic-four-dpo.odcs.yaml',
]);

const check = (plan: ContractPlan, id: string): CheckSpec => {
  const found = plan.checks.find((candidate) => candidate.id === id);
  if (found === undefined) throw new Error(`no check ${id} in ${plan.checks.map((c) => c.id).join(', ')}`);
  return found;
};

describe('official ODCS examples', () => {
  it('finds all 36 examples', () => {
    expect(examples('v3.0')).toHaveLength(18);
    expect(examples('v3.1')).toHaveLength(18);
  });

  for (const file of [...examples('v3.0'), ...examples('v3.1')]) {
    const relative = file.replace(/^odcs\/v3\.[01]\//, '');
    it(`${file} loads and every schema object compiles`, () => {
      const doc = parseContract(read(file), file);
      const declared = doc.apiVersion.startsWith('v3.1') ? '3.1.0' : '3.0.2';
      if (READ_AS_3_1.has(file)) {
        expect(doc.schemaVersion).toBe('3.1.0');
        expect(doc.warnings).toHaveLength(1);
        expect(doc.warnings[0]).toMatch(
          /^apiVersion v3\.0\.2 names ODCS 3\.0\.2, but the file matches the 3\.1\.0 schema, not 3\.0\.2 \(under 3\.0\.2: .+\); read as 3\.1\.0$/,
        );
      } else {
        expect(doc.schemaVersion).toBe(declared);
        expect(doc.warnings).toEqual([]);
      }
      const names = (doc.contract.schema ?? []).map((object) => object.name);
      if (WITHOUT_SCHEMA_OBJECTS.has(relative)) {
        expect(names).toEqual([]);
        expect(definitionError(() => compileContract(doc)).message).toBe(
          `${file}: schema: expected a schema object to check the data against, got none`,
        );
        return;
      }
      for (const schemaName of names) {
        const plan = compileContract(doc, { schemaName });
        expect(plan.schemaName).toBe(schemaName);
        expect(new Set(plan.checks.map((c) => c.id)).size).toBe(plan.checks.length);
        expect(plan.checks.filter((c) => c.metric === 'columnPresent')).toHaveLength(plan.columns.length);
      }
    });
  }

  it('keeps the unquoted dates of table-column-description as strings (YAML 1.2 core schema)', () => {
    const doc = parseContract(
      read('odcs/v3.0/fundamentals/table-column-description.odcs.yaml'),
      'table-column-description.odcs.yaml',
    );
    expect(doc.contract.schema?.[0]?.properties?.[0]?.examples).toEqual(['2022-10-03', '2025-01-28']);
  });

  it('reads the v3.0 full example: 3.0.x rules, a single-column primary key, and what is not evaluated', () => {
    const { plan } = loadContract(read('odcs/v3.0/all/full-example.odcs.yaml'), 'full-example.odcs.yaml');
    expect(plan.columns.map((c) => [c.name, c.property])).toEqual([
      ['txn_ref_dt', 'transaction_reference_date'],
      ['rcvr_id', 'rcvr_id'],
      ['rcvr_cntry_code', 'rcvr_cntry_code'],
    ]);
    expect(plan.columns[1]).toMatchObject({ required: true, unique: true, primaryKey: true });
    expect(check(plan, 'rcvr_cntry_code.nullValues')).toMatchObject({
      threshold: { operator: 'mustBe', value: 0 },
      source: 'schema[0].properties[2].quality[0]',
      dimension: 'completeness',
    });
    expect(plan.notEvaluated).toContainEqual({
      path: 'schema[0].quality[0]',
      reason:
        'rule "countCheck" is not in the evaluated vocabulary (nullCheck, notNull, nullValues, missingValues, validValues, invalidValues, duplicateCount, unique, duplicateValues, rowCount); write it as a 3.1 metric or an mlops extension',
    });
    expect(plan.notEvaluated.map((entry) => entry.path)).toEqual([
      'servers',
      'support',
      'price',
      'team',
      'roles',
      'slaDefaultElement',
      'slaProperties',
      'schema[0].authoritativeDefinitions',
      'schema[0].properties[0].partitioned',
      'schema[0].properties[0].classification',
      'schema[0].properties[1].classification',
      'schema[0].properties[2].classification',
      'schema[0].properties[2].encryptedName',
      'schema[0].properties[2].authoritativeDefinitions',
      'schema[0].quality[0]',
    ]);
  });

  it('reads the v3.1 full example: two schema objects need a name; composite keys are not evaluated', () => {
    const doc = parseContract(read('odcs/v3.1/all/full-example.odcs.yaml'), 'full-example.odcs.yaml');
    expect(definitionError(() => compileContract(doc)).message).toBe(
      'full-example.odcs.yaml: schema: expected one schema object or a schemaName, got 2 ("tbl", "receivers")',
    );
    expect(definitionError(() => compileContract(doc, { schemaName: 'orders' })).message).toBe(
      'full-example.odcs.yaml: schema: expected a schema object named "orders", got "tbl", "receivers"',
    );
    const tbl = compileContract(doc, { schemaName: 'tbl' });
    expect(check(tbl, 'schema.rowCount')).toMatchObject({
      threshold: { operator: 'mustBeGreaterThan', value: 1000000 },
      name: 'row count must be more than 1000000',
    });
    const receivers = compileContract(doc, { schemaName: 'receivers' });
    expect(receivers.notEvaluated).toContainEqual({
      path: 'schema[1].properties[1].primaryKey',
      reason: 'composite primary key (id, country_code): uniqueness of the combination is not checked',
    });
    expect(receivers.notEvaluated).toContainEqual({
      path: 'schema',
      reason: 'only schema object "receivers" is checked; not tbl',
    });
    expect(receivers.columns.find((c) => c.name === 'country_code')).toMatchObject({ primaryKey: true, unique: false });
  });

  it('reads the v3.1 validity example: invalidValues with validValues, in percent', () => {
    const { plan } = loadContract(read('odcs/v3.1/quality/column-validity.odcs.yaml'), 'column-validity.odcs.yaml');
    expect(check(plan, 'air_quality_status.invalidValues')).toEqual({
      id: 'air_quality_status.invalidValues',
      name: 'air_quality_status invalid values must be at most 5% (allowed: "", "n/a")',
      metric: 'invalidValues',
      column: 'air_quality_status',
      threshold: { operator: 'mustBeLessOrEqualTo', value: 5 },
      unit: 'percent',
      validValues: ['', 'n/a'],
      dimension: 'conformity',
      severity: 'error',
      source: 'schema[0].properties[0].quality[0]',
    });
    expect(plan.warnings).toEqual([
      'schema[0].properties[0].quality[0]: null in validValues is ignored: a null is never counted as invalid (nullValues and required count nulls)',
    ]);
  });

  it('reads the custom and sql examples as not evaluated', () => {
    const custom = loadContract(read('odcs/v3.1/quality/column-custom.odcs.yaml'), 'c.yaml').plan;
    expect(custom.notEvaluated.filter((entry) => entry.path.includes('quality'))).toEqual([
      { path: 'schema[0].properties[0].quality[0]', reason: 'custom rules are not run (engine "soda")' },
      { path: 'schema[0].properties[0].quality[1]', reason: 'custom rules are not run (engine "soda")' },
    ]);
    const sql = loadContract(read('odcs/v3.1/quality/column-accuracy.odcs.yaml'), 'a.yaml').plan;
    expect(sql.notEvaluated).toContainEqual({
      path: 'schema[0].properties[0].quality[0]',
      reason: 'SQL rules are not run: the validator streams files and has no SQL engine',
    });
  });

  describe('v3.0 examples that fail the 3.1.0 schema (SOURCES.md) are refused when they claim v3.1.0', () => {
    const as31 = (file: string): string => read(file).replace(/^apiVersion: v3\.0\.2.*$/m, 'apiVersion: v3.1.0');
    it.each([
      [
        'odcs/v3.0/quality/column-completeness.odcs.yaml',
        'c.yaml: schema[0].properties[0].quality[0].rule: expected a field defined by ODCS 3.1.0 (extensions go in customProperties), got unknown key "rule" (the 3.0.x form; ODCS 3.1.0 library rules name a metric)',
      ],
      [
        'odcs/v3.0/data-types/all-data-types.odcs.yaml',
        'c.yaml: schema[0].properties[4].logicalTypeOptions.exclusiveMaximum: expected a number, got true (in ODCS 3.1.0 exclusiveMaximum is the bound itself, e.g. exclusiveMaximum: 100; true/false is the 3.0.x form)',
      ],
      [
        'odcs/v3.0/quality/column-accuracy.odcs.yaml',
        [
          'c.yaml: schema[0].properties[0].quality[0]: expected exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween, got none',
          'c.yaml: schema[0].properties[0].quality[0].metric: expected one of "nullValues", "missingValues", "invalidValues", "duplicateValues", "rowCount" (required), got nothing (rule: "between" is the 3.0.x form; ODCS 3.1.0 library rules name a metric)',
        ].join('\n'),
      ],
    ])('%s', (file, message) => {
      const error = definitionError(() => parseContract(as31(file), 'c.yaml'));
      expect(error.message).toBe(message);
    });

    it('lists each broken rule of the full example once, with its line', () => {
      const error = definitionError(() => parseContract(as31('odcs/v3.0/all/full-example.odcs.yaml'), 'f.yaml'));
      expect(error.problems.map((problem) => [problem.path, problem.line])).toEqual([
        ['schema[0].properties[2].quality[0]', 106],
        ['schema[0].properties[2].quality[0].metric', 106],
        ['schema[0].quality[0]', 122],
        ['schema[0].quality[0].metric', 122],
      ]);
    });
  });
});

describe('datacontract-cli lint fixtures (tests/test_lint.py)', () => {
  it('L1 valid.odcs.yaml (apiVersion v3.0.2 in 3.1 syntax) loads with a warning', () => {
    const { document, plan } = loadContract(
      read('odcs/datacontract-cli/fixtures/lint/valid.odcs.yaml'),
      'valid.odcs.yaml',
    );
    expect(document.schemaVersion).toBe('3.1.0');
    expect(document.warnings).toEqual([
      'apiVersion v3.0.2 names ODCS 3.0.2, but the file matches the 3.1.0 schema, not 3.0.2 (under 3.0.2: team: expected a list, got {"name":"fulfillment","members":[{"username":"vimportant","role":"administrat...); read as 3.1.0',
    ]);
    expect(plan.columns.map((c) => c.name)).toEqual([
      'sid',
      'oid',
      'delivery_date',
      'carrier',
      'tracking_number',
      'status',
      'inline_object_definition',
      'address',
    ]);
  });

  it('L2 valid-3.1.0.odcs.yaml loads without warnings from the schema', () => {
    const { document, plan } = loadContract(
      read('odcs/datacontract-cli/fixtures/lint/valid-3.1.0.odcs.yaml'),
      'valid-3.1.0.odcs.yaml',
    );
    expect(document.warnings).toEqual([]);
    expect(plan.checks.filter((c) => c.metric === 'rowCount').map((c) => [c.id, c.source])).toEqual([
      ['schema.rowCount', 'schema[0].quality[1]'],
      ['schema.rowCount.2', 'schema[0].quality[2]'],
    ]);
    expect(plan.notEvaluated).toContainEqual({
      path: 'schema[0].quality[0]',
      reason: 'SQL rules are not run: the validator streams files and has no SQL engine',
    });
    expect(plan.notEvaluated).toContainEqual({
      path: 'schema[0].properties[6].quality[0]',
      reason: 'a text rule is a description for people; there is nothing to run',
    });
    expect(plan.warnings).toEqual(['schema[0].properties[1]: no logicalType; the values of oid are not type-checked']);
  });

  it('L3 invalid.odcs.yaml is refused naming status', () => {
    const error = definitionError(() =>
      parseContract(read('odcs/datacontract-cli/fixtures/lint/invalid.odcs.yaml'), 'invalid.odcs.yaml'),
    );
    expect(error.name).toBe('ContractDefinitionError');
    expect(error.fileName).toBe('invalid.odcs.yaml');
    expect(error.message).toBe('invalid.odcs.yaml: status: expected a string (required), got nothing');
    expect(error.problems).toEqual([{ path: 'status', message: 'expected a string (required), got nothing', line: 1 }]);
  });

  it('L4 invalid_multiple_errors.odcs.yaml is refused with every problem', () => {
    const error = definitionError(() =>
      parseContract(read('odcs/datacontract-cli/fixtures/lint/invalid_multiple_errors.odcs.yaml'), 'multi.yaml'),
    );
    expect(error.message).toBe(
      [
        'multi.yaml: version: expected a string (required), got nothing',
        'multi.yaml: status: expected a string (required), got nothing',
      ].join('\n'),
    );
  });

  it('L5 invalid_multiple_schema_errors.odcs.yaml names schema[0].description', () => {
    const error = definitionError(() =>
      parseContract(read('odcs/datacontract-cli/fixtures/lint/invalid_multiple_schema_errors.odcs.yaml'), 'l5.yaml'),
    );
    expect(error.message).toBe(
      'l5.yaml: schema[0].description: expected a string, got null (an empty value in YAML is null: give it a value or remove the key)',
    );
    expect(error.problems[0]?.line).toBe(10);
  });

  it('L6 odcs_with_extra_top_level.yaml is refused for its unknown top-level key', () => {
    const error = definitionError(() =>
      parseContract(read('odcs/datacontract-cli/fixtures/lint/odcs_with_extra_top_level.yaml'), 'l6.yaml'),
    );
    expect(error.message).toBe(
      'l6.yaml: change_management: expected a field defined by ODCS 3.1.0 (extensions go in customProperties), got unknown key "change_management"',
    );
  });
});

describe('datacontract-cli test contracts', () => {
  const orders = (file: string): ContractPlan =>
    loadContract(read(`odcs/datacontract-cli/fixtures/${file}/datacontract.yaml`), `${file}.yaml`).plan;

  it('row-filter: rowCount mustBe 3 (P9 fails on the 5-row orders.csv, P10 passes on 3 rows)', () => {
    const plan = orders('row-filter');
    expect(check(plan, 'schema.rowCount')).toEqual({
      id: 'schema.rowCount',
      name: 'row count must be 3',
      metric: 'rowCount',
      threshold: { operator: 'mustBe', value: 3 },
      unit: 'rows',
      severity: 'error',
      source: 'schema[0].quality[0]',
    });
    expect(plan.columns.map((c) => [c.name, c.logicalType])).toEqual([
      ['order_id', 'integer'],
      ['email', 'string'],
      ['amount', 'integer'],
    ]);
    expect(plan.checks.map((c) => c.id)).toEqual([
      'order_id.columnPresent',
      'order_id.invalidValues',
      'email.columnPresent',
      'amount.columnPresent',
      'amount.invalidValues',
      'schema.rowCount',
    ]);
    expect(plan.notEvaluated).toEqual([
      {
        path: 'servers',
        reason: 'servers are not evaluated: the data checked is the object that landed under the pipeline prefix',
      },
    ]);
  });

  it('quality-dimensions: rowCount mustBeGreaterThan 1 in dimension completeness (P11)', () => {
    expect(check(orders('quality-dimensions'), 'schema.rowCount')).toMatchObject({
      threshold: { operator: 'mustBeGreaterThan', value: 1 },
      dimension: 'completeness',
    });
  });

  it('quality-id: the rule keeps its id orders_not_empty (P12)', () => {
    expect(check(orders('quality-id'), 'schema.rowCount')).toMatchObject({
      threshold: { operator: 'mustBeGreaterThan', value: 1 },
      qualityId: 'orders_not_empty',
    });
  });

  const cities = (version: 1 | 2 | 3): ContractPlan =>
    loadContract(
      read(`odcs/datacontract-cli/fixtures/schema-evolution/odcs-datacontract-cities-version-${version}.yaml`),
      `cities-${version}.yaml`,
    ).plan;

  it('cities v1: city_id is a required unique key, name is required', () => {
    const plan = cities(1);
    expect(plan.checks.map((c) => `${c.id} <- ${c.source}`)).toEqual([
      'city_id.columnPresent <- schema[0].properties[0]',
      'city_id.nullValues <- schema[0].properties[0].required',
      'city_id.duplicateValues <- schema[0].properties[0].unique',
      'name.columnPresent <- schema[0].properties[1]',
      'name.nullValues <- schema[0].properties[1].required',
    ]);
  });

  it('cities v2: optional population must be present (P1, P6) and between 10000 and 5000000 (P4)', () => {
    const plan = cities(2);
    expect(plan.columns[2]).toEqual({
      name: 'population',
      property: 'population',
      logicalType: 'integer',
      required: false,
      unique: false,
      primaryKey: false,
      minimum: 10000,
      maximum: 5000000,
    });
    expect(plan.checks.map((c) => c.id)).toEqual([
      'city_id.columnPresent',
      'city_id.nullValues',
      'city_id.duplicateValues',
      'name.columnPresent',
      'name.nullValues',
      'population.columnPresent',
      'population.invalidValues',
    ]);
    expect(check(plan, 'population.columnPresent').threshold).toEqual({ operator: 'mustBe', value: 1 });
  });

  it('cities v2: the datacontract-cli server key delimiter fails 3.1.0 but is tolerated: servers are not evaluated', () => {
    const { document } = loadContract(
      read('odcs/datacontract-cli/fixtures/schema-evolution/odcs-datacontract-cities-version-2.yaml'),
      'cities-2.yaml',
    );
    expect(document.schemaVersion).toBe('3.1.0');
    expect(document.warnings).toEqual([
      'servers[8].delimiter: not an ODCS 3.1.0 server field; tolerated because servers are not evaluated',
      'servers[9].delimiter: not an ODCS 3.1.0 server field; tolerated because servers are not evaluated',
      'servers[10].delimiter: not an ODCS 3.1.0 server field; tolerated because servers are not evaluated',
    ]);
  });

  it('cities v3: population is required (P5 fails without the column)', () => {
    const plan = cities(3);
    expect(plan.columns[2]).toMatchObject({ name: 'population', required: true });
    expect(check(plan, 'population.nullValues').source).toBe('schema[0].properties[2].required');
  });
});

describe('pipelines/churn/contract.yaml', () => {
  const { plan } = loadContract(
    readFileSync(path.join(PROJECT_ROOT, 'pipelines/churn/contract.yaml'), 'utf8'),
    'pipelines/churn/contract.yaml',
  );

  it('compiles without warnings or unevaluated keys', () => {
    expect(plan).toMatchObject({
      contractId: '5b0f3c1e-2d7a-4b8e-9a51-0c6f1e2d3a4b',
      contractVersion: '1.0.0',
      apiVersion: 'v3.1.0',
      schemaName: 'customer_snapshot',
      allowExtraColumns: false,
      notEvaluated: [],
      warnings: [],
    });
    expect(plan.columns.map((c) => c.name)).toEqual([
      'customer_id',
      'snapshot_date',
      'tenure_months',
      'monthly_charges',
      'total_charges',
      'contract_type',
      'payment_method',
      'support_calls',
      'plan',
      'churned',
    ]);
  });

  it('checks the key, the bounds, the allowed values and the row count', () => {
    expect(plan.columns[0]).toEqual({
      name: 'customer_id',
      property: 'customer_id',
      logicalType: 'string',
      required: true,
      unique: true,
      primaryKey: true,
      minLength: 36,
      maxLength: 36,
      format: 'uuid',
    });
    expect(plan.checks.map((c) => `${c.id}: ${c.name}`)).toEqual([
      'customer_id.columnPresent: column customer_id is present',
      'customer_id.nullValues: customer_id has no null values',
      'customer_id.duplicateValues: customer_id has no duplicate values',
      'customer_id.invalidValues: customer_id has no invalid values',
      'snapshot_date.columnPresent: column snapshot_date is present',
      'snapshot_date.nullValues: snapshot_date has no null values',
      'snapshot_date.invalidValues: snapshot_date has no invalid values',
      'tenure_months.columnPresent: column tenure_months is present',
      'tenure_months.nullValues: tenure_months has no null values',
      'tenure_months.invalidValues: tenure_months has no invalid values',
      'monthly_charges.columnPresent: column monthly_charges is present',
      'monthly_charges.nullValues: monthly_charges has no null values',
      'monthly_charges.invalidValues: monthly_charges has no invalid values',
      'total_charges.columnPresent: column total_charges is present',
      'total_charges.invalidValues: total_charges has no invalid values',
      'contract_type.columnPresent: column contract_type is present',
      'contract_type.nullValues: contract_type has no null values',
      'contract_type.invalidValues: contract_type has no invalid values (allowed: "month-to-month", "one-year", "two-year")',
      'payment_method.columnPresent: column payment_method is present',
      'payment_method.nullValues: payment_method has no null values',
      'support_calls.columnPresent: column support_calls is present',
      'support_calls.nullValues: support_calls has no null values',
      'support_calls.invalidValues: support_calls has no invalid values',
      'plan.columnPresent: column plan is present',
      'plan.nullValues: plan has no null values',
      'plan.invalidValues: plan has no invalid values (allowed: "basic", "standard", "premium")',
      'churned.columnPresent: column churned is present',
      'churned.nullValues: churned has no null values',
      'churned.invalidValues: churned has no invalid values',
      'schema.rowCount: row count must be at least 100',
      'tenure_months.drift: tenure_months drift (PSI) must be less than 0.25',
      'monthly_charges.drift: monthly_charges drift (PSI) must be less than 0.25',
      'total_charges.drift: total_charges drift (PSI) must be less than 0.25',
      'contract_type.drift: contract_type drift (PSI) must be less than 0.25',
      'payment_method.drift: payment_method drift (PSI) must be less than 0.25',
      'support_calls.drift: support_calls drift (PSI) must be less than 0.25',
      'plan.drift: plan drift (PSI) must be less than 0.25',
    ]);
    // required: true and an explicit nullValues rule are one check, traced to the rule.
    expect(check(plan, 'customer_id.nullValues').source).toBe('schema[0].properties[0].quality[0]');
    expect(check(plan, 'plan.invalidValues')).toMatchObject({
      validValues: ['basic', 'standard', 'premium'],
      source: 'schema[0].properties[8].quality[0]',
    });
    expect(check(plan, 'schema.rowCount').threshold).toEqual({ operator: 'mustBeGreaterOrEqualTo', value: 100 });
  });
});

describe('docs/contracts.md', () => {
  const markdown = readFileSync(path.join(PROJECT_ROOT, 'docs/contracts.md'), 'utf8');
  const contracts = [...markdown.matchAll(/```yaml\n([\s\S]*?)```/g)]
    .map((match) => match[1] ?? '')
    .filter((block) => block.startsWith('apiVersion:'));

  it('has the same contract in 3.0.x and 3.1.x syntax, compiling to the same plan', () => {
    expect(contracts.map((text) => /^apiVersion: (\S+)/.exec(text)?.[1])).toEqual(['v3.0.2', 'v3.1.0']);
    const [v30, v31] = contracts.map((text, index) => loadContract(text, `example-${index}.yaml`));
    expect(v30?.document.schemaVersion).toBe('3.0.2');
    expect(v31?.document.schemaVersion).toBe('3.1.0');
    expect(v31?.plan.checks).toEqual(v30?.plan.checks);
    expect(v31?.plan.columns).toEqual(v30?.plan.columns);
    expect(v30?.plan.checks.map((c) => c.id)).toEqual([
      'customer_id.columnPresent',
      'customer_id.nullValues',
      'customer_id.duplicateValues',
      'customer_id.invalidValues',
      'snapshot_date.columnPresent',
      'snapshot_date.invalidValues',
      'monthly_charges.columnPresent',
      'monthly_charges.invalidValues',
      'monthly_charges.nullValues',
      'plan.columnPresent',
      'plan.invalidValues',
      'schema.rowCount',
    ]);
    expect([...(v30?.plan.warnings ?? []), ...(v31?.plan.warnings ?? [])]).toEqual([]);
  });
});
