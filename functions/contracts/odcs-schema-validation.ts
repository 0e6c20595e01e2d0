/**
 * Validates a parsed contract against the official ODCS JSON Schemas (draft 2019-09, the same ajv + ajv-formats setup
 * the ODCS repository's CI uses), choosing the schema from `apiVersion` and falling back to the other one because
 * real files mix versions. The schemas are bundled (see `schemas/SOURCES.md`): the Lambda has no network.
 */
import Ajv2019, { type ValidateFunction } from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { formatPath, type ContractProblem } from './odcs-definition-error';
import { pointerToPath, readableProblems, unknownKeyOf } from './odcs-schema-errors';
import type { LineLookup } from './odcs-yaml-source';
import schemaV302 from './schemas/odcs-json-schema-v3.0.2.json' with { type: 'json' };
import schemaV310 from './schemas/odcs-json-schema-v3.1.0.json' with { type: 'json' };

/** The ODCS JSON Schemas a contract is checked against. */
export type OdcsSchemaVersion = '3.0.2' | '3.1.0';

/** The outcome of checking one file. */
export type SchemaValidation =
  | {
      readonly valid: true;
      /** The schema the file matched. */
      readonly schemaVersion: OdcsSchemaVersion;
      readonly warnings: readonly string[];
    }
  | {
      readonly valid: false;
      /** The schema whose problems are reported (the one `apiVersion` names, else the newest). */
      readonly schemaVersion: OdcsSchemaVersion;
      readonly problems: readonly ContractProblem[];
    };

interface CompiledSchema {
  readonly validate: ValidateFunction;
  /** Every field name some object of the schema defines; tells a real unknown key from an ajv follow-on error. */
  readonly knownFields: ReadonlySet<string>;
}

const SCHEMAS: Readonly<Record<OdcsSchemaVersion, object>> = { '3.0.2': schemaV302, '3.1.0': schemaV310 };

/**
 * Compiled lazily and kept for the life of the process: compiling is the slow part of reading a contract, and only
 * the schema `apiVersion` names is compiled when the file matches it, so a cold start pays for one. Measured on
 * Node 20.20 (2-vCPU AMD EPYC, shared and loaded, esbuild bundle, ajv 8.20, the options below): first use 50-120 ms
 * for either schema (the first one includes ajv's own warm-up); isolated, 55-75 ms each. ajv's default code
 * optimisation and ref inlining make it 140-225 ms each and do not pay off for a few hundred lines validated once:
 * the 5,300-line adventureworks example then validates in 5-15 ms.
 */
const compiledSchemas = new Map<OdcsSchemaVersion, CompiledSchema>();

const isList = (value: unknown): value is readonly unknown[] => Array.isArray(value);

function collectFieldNames(node: unknown, into: Set<string>): void {
  if (isList(node)) {
    for (const item of node) collectFieldNames(item, into);
  } else if (typeof node === 'object' && node !== null) {
    const entries: [string, unknown][] = Object.entries(node);
    for (const [key, value] of entries) {
      if (key === 'properties' && typeof value === 'object' && value !== null && !isList(value)) {
        for (const field of Object.keys(value)) into.add(field);
      }
      collectFieldNames(value, into);
    }
  }
}

function compiledSchema(version: OdcsSchemaVersion): CompiledSchema {
  const cached = compiledSchemas.get(version);
  if (cached !== undefined) return cached;
  // strict: false because the official schemas keep server definitions in a plain container ($defs/ServerSource),
  // which ajv's strict mode rejects as unknown keywords. validateSchema: false skips checking the schema against the
  // draft 2019-09 meta-schema: these files are fixed and upstream CI already does it.
  const ajv = new Ajv2019({
    allErrors: true,
    verbose: true,
    strict: false,
    validateSchema: false,
    inlineRefs: false,
    code: { optimize: false },
  });
  addFormats(ajv);
  const schema = SCHEMAS[version];
  const knownFields = new Set<string>();
  collectFieldNames(schema, knownFields);
  const compiled: CompiledSchema = { validate: ajv.compile(schema), knownFields };
  compiledSchemas.set(version, compiled);
  return compiled;
}

/** The schema an `apiVersion` names: v3.0.x (and the v2.2.x the 3.0.2 enum still lists) -> 3.0.2, else 3.1.0. */
export function schemaVersionFor(apiVersion: unknown): OdcsSchemaVersion {
  return typeof apiVersion === 'string' && /^v(3\.0|2\.2)\.\d+$/.test(apiVersion) ? '3.0.2' : '3.1.0';
}

const otherVersion = (version: OdcsSchemaVersion): OdcsSchemaVersion => (version === '3.0.2' ? '3.1.0' : '3.0.2');

/** Unknown keys on a `servers[]` entry: datacontract-cli writes its own (`delimiter: new_line`), and servers are not evaluated. */
const SERVER_ENTRY = /^\/servers\/\d+$/;

interface Attempt {
  readonly version: OdcsSchemaVersion;
  /** Problems that refuse the file. */
  readonly problems: readonly ContractProblem[];
  /** Warnings for what was tolerated. */
  readonly tolerated: readonly string[];
}

function attempt(version: OdcsSchemaVersion, content: unknown, lineOf: LineLookup): Attempt {
  const { validate, knownFields } = compiledSchema(version);
  if (validate(content)) return { version, problems: [], tolerated: [] };
  const errors = validate.errors ?? [];
  const isToleratedServerKey = (error: (typeof errors)[number]): boolean =>
    (error.keyword === 'unevaluatedProperties' || error.keyword === 'additionalProperties') &&
    SERVER_ENTRY.test(error.instancePath);
  return {
    version,
    problems: readableProblems(
      errors.filter((error) => !isToleratedServerKey(error)),
      { version, knownFields, lineOf, content, schema: SCHEMAS[version] },
    ),
    tolerated: errors
      .filter(isToleratedServerKey)
      .map(
        (error) =>
          `${formatPath([...pointerToPath(error.instancePath, content), unknownKeyOf(error) ?? '?'])}: not an ODCS ${version} server field; tolerated because servers are not evaluated`,
      ),
  };
}

/**
 * Checks a parsed contract against the ODCS schema its `apiVersion` names, then against the other one.
 *
 * A file valid under either schema is accepted; when it matches the other schema, a warning says so (datacontract-cli
 * writes `apiVersion: v3.0.2` files in 3.1 syntax). Unknown keys on `servers[]` entries are tolerated with a warning.
 * A file valid under neither is refused with the problems of the schema `apiVersion` names.
 *
 * @param content - the parsed YAML
 * @param lineOf - maps a path to its line, for the problems
 */
export function validateAgainstOdcsSchema(content: unknown, lineOf: LineLookup): SchemaValidation {
  const apiVersion =
    typeof content === 'object' && content !== null && 'apiVersion' in content ? content.apiVersion : undefined;
  const declared = schemaVersionFor(apiVersion);
  const first = attempt(declared, content, lineOf);
  if (first.problems.length === 0) {
    return { valid: true, schemaVersion: declared, warnings: first.tolerated };
  }
  const second = attempt(otherVersion(declared), content, lineOf);
  if (second.problems.length === 0) {
    const [reason] = first.problems;
    const because = reason === undefined ? '' : ` (under ${declared}: ${reason.path}: ${reason.message})`;
    return {
      valid: true,
      schemaVersion: second.version,
      warnings: [
        `apiVersion ${describeApiVersion(apiVersion)} names ODCS ${declared}, but the file matches the ${second.version} schema, not ${declared}${because}; read as ${second.version}`,
        ...second.tolerated,
      ],
    };
  }
  return { valid: false, schemaVersion: declared, problems: first.problems };
}

const describeApiVersion = (apiVersion: unknown): string =>
  typeof apiVersion === 'string' ? apiVersion : (JSON.stringify(apiVersion) ?? 'nothing');
