import { isAlias, isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

/**
 * The 1-based line of the value at `valuePath` in a parsed YAML document (the line of its key inside a mapping), so
 * that messages about pipeline files and data contracts can say where; `undefined` when the path does not exist in
 * the document (a missing key, a default).
 */
export function lineOf(doc: Document, lines: LineCounter, valuePath: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset: number | undefined = isMap(node) || isSeq(node) || isScalar(node) ? node.range?.[0] : undefined;
  for (const segment of valuePath) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(segment));
      if (pair === undefined || !isScalar(pair.key)) return undefined;
      offset = pair.key.range?.[0];
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item: unknown = node.items[segment];
      if (!isScalar(item) && !isMap(item) && !isSeq(item) && !isAlias(item)) return undefined;
      offset = item.range?.[0];
      node = item;
    } else {
      return undefined;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/**
 * A value found in a configuration or contract file, as a message shows it: JSON, cut to 80 characters; `nothing`
 * for a missing value. Numbers are not quoted, so `1.7` and `"1.7"` read differently.
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    // YAML aliases can build a cyclic value, which JSON cannot render.
    return Array.isArray(value) ? 'a self-referencing list' : 'a self-referencing mapping';
  }
  return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}
