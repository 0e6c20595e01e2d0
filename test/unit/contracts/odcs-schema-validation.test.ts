import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ContractDefinitionError, parseContract } from '../../../functions/contracts/odcs-contract';
import { pointerToPath } from '../../../functions/contracts/odcs-schema-errors';
import { schemaVersionFor, validateAgainstOdcsSchema } from '../../../functions/contracts/odcs-schema-validation';

const header = (apiVersion: string): string => `apiVersion: ${apiVersion}
kind: DataContract
id: schema-validation-test
version: 1.0.0
status: active
`;

const noLines = (): undefined => undefined;

const messageOf = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    if (error instanceof ContractDefinitionError) return error.message;
    throw error;
  }
  throw new Error('expected a ContractDefinitionError');
};

describe('schemaVersionFor', () => {
  it.each([
    ['v3.0.0', '3.0.2'],
    ['v3.0.1', '3.0.2'],
    ['v3.0.2', '3.0.2'],
    ['v2.2.2', '3.0.2'],
    ['v3.1.0', '3.1.0'],
    ['v3.1.7', '3.1.0'],
    ['v4.0.0', '3.1.0'],
    [undefined, '3.1.0'],
    [3.1, '3.1.0'],
  ])('%s -> %s', (apiVersion, version) => {
    expect(schemaVersionFor(apiVersion)).toBe(version);
  });
});

describe('validateAgainstOdcsSchema', () => {
  it('accepts a file valid under its own version without warnings', () => {
    expect(validateAgainstOdcsSchema(parse(header('v3.0.2')), noLines)).toEqual({
      valid: true,
      schemaVersion: '3.0.2',
      warnings: [],
    });
    expect(validateAgainstOdcsSchema(parse(header('v3.1.0')), noLines)).toEqual({
      valid: true,
      schemaVersion: '3.1.0',
      warnings: [],
    });
  });

  it('accepts a v3.0.2 file written in 3.1 syntax, with a warning that names the version it matches', () => {
    const content = parse(`${header('v3.0.2')}schema:
  - name: t
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
`);
    expect(validateAgainstOdcsSchema(content, noLines)).toEqual({
      valid: true,
      schemaVersion: '3.1.0',
      warnings: [
        'apiVersion v3.0.2 names ODCS 3.0.2, but the file matches the 3.1.0 schema, not 3.0.2 (under 3.0.2: schema[0].quality[0].rule: expected a string (required), got nothing); read as 3.1.0',
      ],
    });
  });

  it('tolerates unknown keys on servers only, and only the unknown keys', () => {
    const servers = `servers:
  - server: local
    type: local
    format: json
    path: ./data.json
    delimiter: new_line
`;
    const tolerated = validateAgainstOdcsSchema(parse(`${header('v3.1.0')}${servers}`), noLines);
    expect(tolerated).toEqual({
      valid: true,
      schemaVersion: '3.1.0',
      warnings: ['servers[0].delimiter: not an ODCS 3.1.0 server field; tolerated because servers are not evaluated'],
    });
    const missingPath = validateAgainstOdcsSchema(
      parse(`${header('v3.1.0')}${servers.replace('    path: ./data.json\n', '')}`),
      noLines,
    );
    expect(missingPath).toEqual({
      valid: false,
      schemaVersion: '3.1.0',
      problems: [{ path: 'servers[0].path', message: 'expected a string (required), got nothing' }],
    });
  });

  it('reports the problems of the declared version when the file is valid under neither', () => {
    const content = parse(`${header('v3.0.2')}schema:
  - name: t
    quality:
      - metric: rowCount
        mustBeGreaterThan: 0
    bogus: 1
`);
    expect(validateAgainstOdcsSchema(content, noLines)).toEqual({
      valid: false,
      schemaVersion: '3.0.2',
      problems: [
        { path: 'schema[0].quality[0].rule', message: 'expected a string (required), got nothing' },
        {
          path: 'schema[0].bogus',
          message:
            'expected a field defined by ODCS 3.0.2 (extensions go in customProperties), got unknown key "bogus"',
        },
      ],
    });
  });

  it('merges the alternatives of an anyOf/oneOf into one message', () => {
    const content = parse(`${header('v3.1.0')}schema:
  - name: t
    quality:
      - type: custom
        engine: soda
        implementation: 5
`);
    expect(validateAgainstOdcsSchema(content, noLines)).toEqual({
      valid: false,
      schemaVersion: '3.1.0',
      problems: [{ path: 'schema[0].quality[0].implementation', message: 'expected a string or a mapping, got 5' }],
    });
  });

  it('drops the "unevaluated" follow-on errors of a failed branch but keeps real unknown keys', () => {
    const content = parse(`${header('v3.1.0')}schema:
  - name: t
    quality:
      - metric: rowCount
        mustBe: 1
        mustNotBe: 2
        colour: red
`);
    expect(validateAgainstOdcsSchema(content, noLines)).toEqual({
      valid: false,
      schemaVersion: '3.1.0',
      problems: [
        {
          path: 'schema[0].quality[0]',
          message:
            'expected exactly one of mustBe, mustNotBe, mustBeGreaterThan, mustBeGreaterOrEqualTo, mustBeLessThan, mustBeLessOrEqualTo, mustBeBetween, mustNotBeBetween, got mustBe and mustNotBe',
        },
        {
          path: 'schema[0].quality[0].colour',
          message:
            'expected a field defined by ODCS 3.1.0 (extensions go in customProperties), got unknown key "colour"',
        },
      ],
    });
  });
});

describe('parseContract', () => {
  it('keeps the file name, the declared apiVersion and the typed contract', () => {
    const doc = parseContract(`${header('v3.0.0')}name: n\n`, 'contracts/n.yaml');
    expect(doc).toMatchObject({
      fileName: 'contracts/n.yaml',
      apiVersion: 'v3.0.0',
      schemaVersion: '3.0.2',
      warnings: [],
    });
    expect(doc.contract.name).toBe('n');
  });

  it('reads YAML 1.2 core: unquoted dates, yes/no and octal-looking numbers keep their YAML 1.2 meaning', () => {
    const doc = parseContract(
      `${header('v3.1.0')}schema:
  - name: t
    properties:
      - name: c
        logicalType: string
        examples: [2024-01-31, yes, 0755]
`,
      'c.yaml',
    );
    expect(doc.contract.schema?.[0]?.properties?.[0]?.examples).toEqual(['2024-01-31', 'yes', 755]);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    expect(messageOf(() => parseContract(bomb, 'bomb.yaml'))).toMatch(/^bomb\.yaml: invalid YAML: /);
  });

  it('tells list indexes from numeric keys in JSON pointers', () => {
    expect(pointerToPath('/schema/0/properties/1', { schema: [{ properties: [{}, {}] }] })).toEqual([
      'schema',
      0,
      'properties',
      1,
    ]);
    expect(pointerToPath('/a/0/b~1c', { a: { 0: { 'b/c': 1 } } })).toEqual(['a', '0', 'b/c']);
  });
});
