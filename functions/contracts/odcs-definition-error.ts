import { describeValue } from '../config/yaml-locations';

export { describeValue };

/**
 * The one error a data contract file can cause: it is not valid YAML, not valid ODCS, or asks for something the
 * validator cannot do. It is thrown when the contract is read (at synth time or by `mlops validate`), never while data
 * is checked, and it lists every problem found so that one edit-and-retry round fixes them all.
 */

/** One problem in a contract file. */
export interface ContractProblem {
  /** Where in the file, e.g. `schema[0].properties[2].logicalType`; empty for the file as a whole. */
  readonly path: string;
  /** What was expected and what was found, e.g. `expected a string, got null`. */
  readonly message: string;
  /** 1-based line of the offending node, when the node exists in the file (a missing key has none). */
  readonly line?: number;
}

/** The contract file cannot be used; `problems` lists each, `message` has one `<file>: <path>: <problem>` per line. */
export class ContractDefinitionError extends Error {
  public override readonly name = 'ContractDefinitionError';
  /** The file name given to the reader, as it appears in the messages. */
  public readonly fileName: string;
  public readonly problems: readonly ContractProblem[];

  public constructor(fileName: string, problems: readonly ContractProblem[], options?: ErrorOptions) {
    super(problems.map((problem) => formatProblem(fileName, problem)).join('\n'), options);
    this.fileName = fileName;
    this.problems = problems;
  }
}

/** `<file>: <path>: <message>`, or `<file>: <message>` for a problem with the whole file. */
export const formatProblem = (fileName: string, problem: ContractProblem): string =>
  problem.path === '' ? `${fileName}: ${problem.message}` : `${fileName}: ${problem.path}: ${problem.message}`;

/** A path as written in messages: `schema[0].properties[2].logicalType`; keys that are not identifiers are quoted. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
