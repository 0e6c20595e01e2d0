/**
 * Reads the YAML of a contract file: YAML 1.2 core schema, duplicate keys are errors, and every node keeps its line so
 * that problems found later (JSON Schema, compilation) can say where they are.
 */
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import { describeValue, type ContractProblem } from './odcs-definition-error';
import { lineOf } from '../config/yaml-locations';

/** Maps a path in the parsed value to the 1-based line of its node; undefined when the node is not in the file. */
export type LineLookup = (path: readonly (string | number)[]) => number | undefined;

/** The parsed file, or the reasons it is not YAML. */
export type YamlSource =
  | { readonly ok: true; readonly content: unknown; readonly lineOf: LineLookup }
  | { readonly ok: false; readonly problems: readonly ContractProblem[]; readonly cause: unknown };

/** Aliases may be expanded at most this many times; a contract has no use for more, a "billion laughs" file does. */
const MAX_ALIAS_COUNT = 100;

/** The key whose node starts at `offset`, e.g. the repeated key of a duplicate-key error. */
function keyAt(doc: Document, offset: number): string | undefined {
  let key: string | undefined;
  visit(doc, {
    Pair: (_, pair) => {
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) {
        key = String(pair.key.value);
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return key;
}

/**
 * Parses the YAML of a contract file.
 *
 * The core schema keeps `2020-01-01` and `yes` as strings (a YAML 1.1 loader turns the unquoted dates of the official
 * `table-column-description` example into date objects, and the file then fails every ODCS schema).
 */
export function readYamlSource(text: string): YamlSource {
  const lines = new LineCounter();
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems = [...doc.errors, ...doc.warnings].map((error): ContractProblem => {
    const { line, col } = lines.linePos(error.pos[0]);
    const what =
      error.code === 'DUPLICATE_KEY'
        ? `duplicate key ${describeValue(keyAt(doc, error.pos[0]) ?? text.slice(error.pos[0], error.pos[1]))}`
        : error.message.split('\n')[0];
    return { path: '', message: `invalid YAML at line ${line}, column ${col}: ${what}`, line };
  });
  if (problems.length > 0) return { ok: false, problems, cause: doc.errors[0] ?? doc.warnings[0] };
  let content: unknown;
  try {
    content = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return { ok: false, problems: [{ path: '', message: `invalid YAML: ${reason}` }], cause: error };
  }
  return { ok: true, content, lineOf: (valuePath) => lineOf(doc, lines, valuePath) };
}
