import Table from 'cli-table3';

/** Writes `value` as pretty JSON on stdout (the `--json` form of every command). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** Renders rows as a table for people; the first row is the header. */
export function renderTable(head: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const row of rows) table.push(row.map(String));
  return table.toString();
}

/** A text that may span lines, its later lines indented by `indent` spaces (to line up under a labelled value). */
export function continuedLines(text: string, indent: number): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line, i) => i === 0 || line.length > 0)
    .join(`\n${' '.repeat(indent)}`);
}
