/**
 * Reads `pipelines/<name>/pipeline.yaml`, validates each against the schema and all of them against each other, and
 * reports every problem in one error. Runs at synth time, so a bad config never reaches AWS.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { isScalar, LineCounter, parseDocument, visit, type Document } from 'yaml';
import {
  ConfigError,
  describeValue,
  fallbackErrorMap,
  formatPath,
  pipelineFileSchema,
  pipelineNameProblem,
  problemsFromZodError,
  resolvePipelineConfig,
  type ConfigProblem,
  type PipelineConfig,
} from './pipeline-config';
import { lineOf } from './yaml-locations';
import { ContractDefinitionError } from '../contracts/odcs-definition-error';
import { compileContract, parseContract } from '../contracts/odcs-contract';

export type { ConfigProblem, PipelineConfig } from './pipeline-config';

/** File name of a pipeline's configuration inside its folder. */
export const PIPELINE_FILE_NAME = 'pipeline.yaml';

/** One or more pipeline configurations are invalid; `problems` lists each, `message` has one per line. */
export class PipelineConfigError extends ConfigError {
  public override readonly name = 'PipelineConfigError';

  public constructor(problems: readonly ConfigProblem[], options?: ErrorOptions) {
    super(problems, options);
  }
}

/** What checking one file found; `line` maps a path in the file to its line, for problems found later. */
interface FileCheck {
  readonly config?: PipelineConfig;
  readonly problems: readonly ConfigProblem[];
  readonly line: (path: readonly PropertyKey[]) => number | undefined;
  readonly cause?: unknown;
}

/** Problems sorted by line, those without a line (missing keys) last; otherwise in the order found. */
const byLine = (problems: readonly ConfigProblem[]): ConfigProblem[] =>
  problems
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => (a.problem.line ?? Infinity) - (b.problem.line ?? Infinity) || a.index - b.index)
    .map(({ problem }) => problem);

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

function checkPipelineFile(text: string, file: string, name: string): FileCheck {
  const lines = new LineCounter();
  // YAML 1.2 core schema: `2024-01-01` and `yes` stay strings, and a key given twice is an error.
  const doc = parseDocument(text, { schema: 'core', lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const line = (valuePath: readonly PropertyKey[]): number | undefined => lineOf(doc, lines, valuePath);

  const problems: ConfigProblem[] = [];
  const nameProblem = pipelineNameProblem(name);
  if (nameProblem !== undefined) problems.push({ file, path: '', message: nameProblem });

  const yamlProblems = [...doc.errors, ...doc.warnings].map((error): ConfigProblem => {
    const message =
      error.code === 'DUPLICATE_KEY'
        ? `invalid YAML: duplicate key ${describeValue(keyAt(doc, error.pos[0]) ?? text.slice(error.pos[0], error.pos[1]))}`
        : `invalid YAML: ${error.message}`;
    return { file, path: '', message, line: lines.linePos(error.pos[0]).line };
  });
  if (yamlProblems.length > 0) {
    return { problems: byLine([...problems, ...yamlProblems]), line, cause: doc.errors[0] ?? doc.warnings[0] };
  }

  let content: unknown;
  try {
    content = doc.toJS();
  } catch (error) {
    // Only an alias bomb gets here (yaml caps alias expansion).
    const reason = error instanceof Error ? error.message : String(error);
    return { problems: [...problems, { file, path: '', message: `invalid YAML: ${reason}` }], line, cause: error };
  }

  const result = pipelineFileSchema.safeParse(content, { error: fallbackErrorMap });
  if (!result.success) {
    const schemaProblems = problemsFromZodError(result.error, file, line);
    return { problems: byLine([...problems, ...schemaProblems]), line, cause: result.error };
  }
  if (problems.length > 0) return { problems, line };
  return { config: resolvePipelineConfig(result.data, name), problems: [], line };
}

/**
 * Validates the text of one `pipeline.yaml` and applies the defaults. Pure: no file system (the loader checks that
 * the contract file exists).
 *
 * @param text - the file's content
 * @param file - the file's path as it appears in messages, e.g. `pipelines/churn/pipeline.yaml`
 * @param name - the pipeline name, i.e. the folder name
 * @throws PipelineConfigError with every problem found
 */
export function parsePipelineConfig(text: string, file: string, name: string): PipelineConfig {
  const check = checkPipelineFile(text, file, name);
  if (check.config === undefined || check.problems.length > 0) {
    throw new PipelineConfigError(check.problems, { cause: check.cause });
  }
  return check.config;
}

const posix = (relative: string): string => relative.split(path.sep).join('/');

const isDirectory = (target: string): boolean => {
  try {
    return statSync(target).isDirectory();
  } catch {
    return false;
  }
};

const isFile = (target: string): boolean => {
  try {
    return statSync(target).isFile();
  } catch {
    return false;
  }
};

interface LoadedPipeline {
  readonly config: PipelineConfig;
  readonly file: string;
  readonly line: (path: readonly PropertyKey[]) => number | undefined;
}

/** Two landing prefixes overlap when one is a prefix of the other: an object would belong to both pipelines. */
const overlaps = (a: string, b: string): boolean => a.startsWith(b) || b.startsWith(a);

/** Problems between pipelines, reported on the later pipeline (in name order) of each pair. */
function crossPipelineProblems(pipelines: readonly LoadedPipeline[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  pipelines.forEach((later, index) => {
    for (const earlier of pipelines.slice(0, index)) {
      const problem = (valuePath: PropertyKey[], message: string): void => {
        const line = later.line(valuePath);
        problems.push({
          file: later.file,
          path: formatPath(valuePath),
          message,
          ...(line === undefined ? {} : { line }),
        });
      };
      // Resource names such as endpoint names are unique regardless of letter case.
      if (later.config.name.toLowerCase() === earlier.config.name.toLowerCase()) {
        problem(
          [],
          `expected a folder name that differs from every other pipeline's in more than letter case, got ${describeValue(later.config.name)} (also ${earlier.file})`,
        );
      }
      const prefix = later.config.data.landingPrefix;
      if (overlaps(prefix, earlier.config.data.landingPrefix)) {
        problem(
          ['data', 'landingPrefix'],
          `expected a prefix that does not overlap another pipeline's, got ${describeValue(prefix)} (overlaps ${describeValue(earlier.config.data.landingPrefix)} in ${earlier.file})`,
        );
      }
      const endpoint = later.config.deployment.endpointName;
      if (endpoint.toLowerCase() === earlier.config.deployment.endpointName.toLowerCase()) {
        problem(
          ['deployment', 'endpointName'],
          `expected an endpoint name no other pipeline uses, got ${describeValue(endpoint)} (also ${earlier.file})`,
        );
      }
      const group = later.config.registry.modelPackageGroupName;
      if (group.toLowerCase() === earlier.config.registry.modelPackageGroupName.toLowerCase()) {
        problem(
          ['registry', 'modelPackageGroupName'],
          `expected a model package group name no other pipeline uses, got ${describeValue(group)} (also ${earlier.file})`,
        );
      }
    }
  });
  return problems;
}

/**
 * Problems of a pipeline's data contract: it must load (ODCS schema) and compile into a check plan, so that a broken
 * contract stops `cdk synth` and `mlops config` instead of failing when data lands.
 */
function contractProblems(rootDir: string, contractPath: string): ConfigProblem[] {
  const file = path.relative(rootDir, contractPath).split(path.sep).join('/');
  try {
    compileContract(parseContract(readFileSync(contractPath, 'utf8'), file));
    return [];
  } catch (error) {
    if (!(error instanceof ContractDefinitionError)) throw error;
    return error.problems.map((problem) => ({
      file,
      path: problem.path,
      message: problem.message,
      ...(problem.line === undefined ? {} : { line: problem.line }),
    }));
  }
}

/**
 * Loads every pipeline under `<rootDir>/<pipelinesDir>/`: one folder per pipeline, each with a `pipeline.yaml`.
 * Folders whose name starts with `.` are skipped.
 *
 * @param rootDir - project root; file names in messages are relative to it
 * @param pipelinesDir - folder of pipeline folders, relative to `rootDir`
 * @returns the pipelines, sorted by name, with every default applied
 * @throws PipelineConfigError listing every problem in every file, including problems between pipelines
 */
export function loadPipelines(rootDir: string, pipelinesDir = 'pipelines'): PipelineConfig[] {
  const directory = path.resolve(rootDir, pipelinesDir);
  const label = `${posix(path.relative(rootDir, directory)) || '.'}/`;
  const problems: ConfigProblem[] = [];
  const loaded: LoadedPipeline[] = [];

  const names = isDirectory(directory)
    ? readdirSync(directory)
        .filter((entry) => !entry.startsWith('.') && isDirectory(path.join(directory, entry)))
        .sort()
    : [];
  let found = 0;
  for (const name of names) {
    const folder = path.join(directory, name);
    const filePath = path.join(folder, PIPELINE_FILE_NAME);
    const file = `${label}${name}/${PIPELINE_FILE_NAME}`;
    if (!isFile(filePath)) {
      const misnamed = existsSync(path.join(folder, 'pipeline.yml'));
      problems.push({
        file: `${label}${name}/`,
        path: '',
        message: `expected a ${PIPELINE_FILE_NAME} in every pipeline folder, found ${misnamed ? 'pipeline.yml (rename it)' : 'none'}`,
      });
      continue;
    }
    found++;
    const check = checkPipelineFile(readFileSync(filePath, 'utf8'), file, name);
    problems.push(...check.problems);
    if (check.config === undefined) continue;

    const contract = check.config.data.contract;
    if (!isFile(path.join(folder, contract))) {
      const line = check.line(['data', 'contract']);
      problems.push({
        file,
        path: 'data.contract',
        message: `expected a file next to ${PIPELINE_FILE_NAME}, got ${describeValue(contract)} (not found)`,
        ...(line === undefined ? {} : { line }),
      });
    } else {
      problems.push(...contractProblems(rootDir, path.join(folder, contract)));
    }
    loaded.push({ config: check.config, file, line: check.line });
  }
  if (found === 0) {
    problems.push({
      file: label,
      path: '',
      message: `expected at least one pipeline folder with a ${PIPELINE_FILE_NAME}, found none`,
    });
  }
  problems.push(...crossPipelineProblems(loaded));

  if (problems.length > 0) throw new PipelineConfigError(problems);
  return loaded.map(({ config }) => config);
}
