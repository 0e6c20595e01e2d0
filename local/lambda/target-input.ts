import type { LocalRuleTarget } from '../runtime-model';

/** A target input setting the local runtime cannot apply; fails loudly instead of delivering the wrong event. */
export class TargetInputError extends Error {
  public override readonly name = 'TargetInputError';
}

/**
 * Reads a simple JSONPath (`$`, `$.detail.object.key`, `$.resources[0]`), the subset EventBridge input paths use
 * in practice; `undefined` when a step is missing.
 */
export function readJsonPath(value: unknown, jsonPath: string): unknown {
  if (!jsonPath.startsWith('$')) throw new TargetInputError(`unsupported input path "${jsonPath}" (expected $...)`);
  const steps = [...jsonPath.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|(.)/g)];
  let current = value;
  for (const [, key, index, unexpected] of steps) {
    if (unexpected !== undefined)
      throw new TargetInputError(`unsupported input path "${jsonPath}" (only .key and [n] steps)`);
    if (typeof current !== 'object' || current === null) return undefined;
    current =
      key !== undefined ? Reflect.get(current, key) : Array.isArray(current) ? current[Number(index)] : undefined;
  }
  return current;
}

/**
 * The event a target receives, as EventBridge builds it: the constant `Input`, the part at `InputPath`, or the
 * `InputTemplate` with each `<name>` of `InputPathsMap` replaced — inside a JSON string by the value's text,
 * elsewhere by its JSON — and parsed as JSON when the result is JSON. Without settings, the event itself.
 */
export function targetInput(
  target: Pick<LocalRuleTarget, 'input' | 'inputPath' | 'inputTransformer'>,
  event: unknown,
): unknown {
  if (target.input !== undefined) return parseJsonOrText(target.input);
  if (target.inputPath !== undefined) return readJsonPath(event, target.inputPath);
  const transformer = target.inputTransformer;
  if (transformer === undefined) return event;
  const values = Object.fromEntries(
    Object.entries(transformer.inputPathsMap ?? {}).map(([name, path]) => [name, readJsonPath(event, path)]),
  );
  const insideString = (text: string, at: number): boolean => {
    let quotes = 0;
    for (let i = 0; i < at; i++) if (text[i] === '"' && text[i - 1] !== '\\') quotes++;
    return quotes % 2 === 1;
  };
  const template = transformer.inputTemplate;
  const rendered = template.replace(/<([A-Za-z0-9_.-]+)>/g, (placeholder: string, name: string, offset: number) => {
    if (name === 'aws.events.event' || name === 'aws.events.event.json') return JSON.stringify(event);
    if (!(name in values)) return placeholder;
    const value = values[name];
    if (insideString(template, offset))
      return JSON.stringify(typeof value === 'string' ? value : (JSON.stringify(value) ?? '')).slice(1, -1);
    return JSON.stringify(value ?? null);
  });
  return parseJsonOrText(rendered);
}

/** A JSON text parsed, or the text itself when it is not JSON (Lambda passes a non-JSON input as a string). */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
