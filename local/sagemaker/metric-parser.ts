/**
 * `AlgorithmSpecification.MetricDefinitions`: regexes SageMaker runs over the training container's log lines
 * (REFERENCE 3.2). The captured value is the metric; the last value seen is the one in `FinalMetricDataList`.
 */
import { validationError } from './errors';

/** One `MetricDefinition` of the request. */
export interface MetricDefinition {
  readonly Name: string;
  readonly Regex: string;
}

/** One entry of `FinalMetricDataList`; `Timestamp` is epoch milliseconds here (the API shape converts it). */
export interface MetricDatum {
  readonly MetricName: string;
  readonly Value: number;
  readonly TimestampMs: number;
}

/** At most 40 definitions per job (API limit). */
const MAX_DEFINITIONS = 40;

interface CompiledDefinition {
  readonly name: string;
  readonly regex: RegExp;
}

/** Extracts metrics from log lines; see `createMetricParser`. */
export interface MetricParser {
  feed(line: string, timestampMs: number): void;
  /** The last value of each metric seen so far, in definition order. */
  finalMetrics(): MetricDatum[];
}

/**
 * Compiles the definitions once; `feed` each output line, then read `finalMetrics()`.
 * Throws a `ValidationException` for more than 40 definitions or a regex that does not compile.
 */
export function createMetricParser(definitions: readonly MetricDefinition[]): MetricParser {
  if (definitions.length > MAX_DEFINITIONS) {
    throw validationError(`MetricDefinitions has ${definitions.length} items; at most ${MAX_DEFINITIONS} are allowed`);
  }
  const compiled: CompiledDefinition[] = definitions.map((definition) => ({
    name: definition.Name,
    regex: compileMetricRegex(definition),
  }));
  const latest = new Map<string, MetricDatum>();
  return {
    feed(line, timestampMs) {
      for (const { name, regex } of compiled) {
        const value = extractValue(regex, line);
        if (value !== undefined) latest.set(name, { MetricName: name, Value: value, TimestampMs: timestampMs });
      }
    },
    // Definition order, so the list is stable whatever order the values arrived in.
    finalMetrics: () =>
      compiled.flatMap(({ name }) => {
        const datum = latest.get(name);
        return datum === undefined ? [] : [datum];
      }),
  };
}

/**
 * SageMaker evaluates the regexes with a Python-style engine; the only syntax difference that matters for metric
 * patterns is the named group `(?P<name>...)`, which JavaScript spells `(?<name>...)`.
 */
function compileMetricRegex(definition: MetricDefinition): RegExp {
  if (definition.Regex.length < 1 || definition.Regex.length > 500) {
    throw validationError(`MetricDefinitions '${definition.Name}': Regex must have length between 1 and 500`);
  }
  try {
    return new RegExp(definition.Regex.replace(/\(\?P</g, '(?<'));
  } catch (error) {
    throw validationError(`MetricDefinitions '${definition.Name}': invalid Regex '${definition.Regex}'`, error);
  }
}

/** The first capture group (or, with none, the whole match) as a finite number; `undefined` when it is not one. */
function extractValue(regex: RegExp, line: string): number | undefined {
  const match = regex.exec(line);
  if (match === null) return undefined;
  const text = match.length > 1 ? match[1] : match[0];
  if (text === undefined) return undefined;
  const value = Number.parseFloat(text);
  return Number.isFinite(value) ? value : undefined;
}
