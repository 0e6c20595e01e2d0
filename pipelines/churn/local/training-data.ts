/**
 * Reads a training channel: a folder of the accepted batch files exactly as they landed (CSV with a header, the
 * contract's columns in any order, several files, gzip or not). Columns are matched by header name, as the contract
 * check matches them, and extra columns are ignored. Bad input is a {@link TrainingDataError} whose message is the
 * `ClientError: ...` failure reason SageMaker would show, with the file, line and column.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';

import type { LabelledRow } from './churn-training';
import { parseCsvRecords } from './csv-records';
import { INFERENCE_FEATURES, TARGET_COLUMN, type FeatureName } from './feature-order';
import { describeProblem, isFeatureProblem, parseFeatures } from './feature-parsing';

/** The data cannot be trained on; `message` starts with `ClientError:`. */
export class TrainingDataError extends Error {
  public override readonly name = 'TrainingDataError';
  constructor(reason: string, options?: ErrorOptions) {
    super(`ClientError: ${reason}`, options);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Columns training needs: the id (for the hold-out split), the 7 features and the label. */
const REQUIRED_COLUMNS = ['customer_id', ...INFERENCE_FEATURES, TARGET_COLUMN] as const;

/** The data files of a channel folder, recursively, in name order; hidden files (`.gitkeep`, ...) are skipped. */
export function channelFiles(folder: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(folder, { recursive: true, encoding: 'utf8' });
  } catch (error) {
    throw new TrainingDataError(`cannot read the channel folder ${folder}: ${messageOf(error)}`, {
      cause: error,
    });
  }
  return entries
    .filter((name) => !name.split(/[\\/]/).some((part) => part.startsWith('.')))
    .map((name) => join(folder, name))
    .filter((path) => statSync(path).isFile())
    .sort();
}

/** A file's bytes, gunzipped when it starts with the gzip magic number (whatever its name says). */
function fileBytes(path: string, shownAs: string): Uint8Array {
  const raw = readFileSync(path);
  if (raw[0] !== 0x1f || raw[1] !== 0x8b) return raw;
  try {
    return gunzipSync(raw);
  } catch (error) {
    throw new TrainingDataError(`${shownAs}: corrupt gzip data (${messageOf(error)})`, { cause: error });
  }
}

/** Every labelled row of one file. */
export function readTrainingFile(path: string, shownAs = basename(path)): LabelledRow[] {
  const parsed = parseCsvRecords(fileBytes(path, shownAs));
  if (parsed.kind === 'malformed') throw new TrainingDataError(`${shownAs}: malformed CSV: ${parsed.reason}`);
  const [header, ...records] = parsed.records;
  if (header === undefined) throw new TrainingDataError(`${shownAs}: the file is empty (expected a header row)`);
  const names = header.fields.map((name) => name.trim());
  const missing = REQUIRED_COLUMNS.filter((column) => !names.includes(column));
  if (missing.length > 0) {
    throw new TrainingDataError(
      `${shownAs}: missing column(s) ${missing.join(', ')} in the header (found: ${names.join(', ')})`,
    );
  }
  const at = new Map<string, number>(REQUIRED_COLUMNS.map((column) => [column, names.indexOf(column)]));
  return records.map((record) => {
    const where = `${shownAs}:${record.line}`;
    if (record.fields.length !== names.length) {
      throw new TrainingDataError(
        `${where}: expected ${names.length} fields as in the header, got ${record.fields.length}`,
      );
    }
    const field = (name: FeatureName | 'customer_id' | typeof TARGET_COLUMN) => record.fields[at.get(name) ?? -1] ?? '';
    const features = parseFeatures(field);
    if (isFeatureProblem(features)) throw new TrainingDataError(`${where}: ${describeProblem(features)}`);
    const label = field(TARGET_COLUMN).trim();
    if (label !== '0' && label !== '1') {
      throw new TrainingDataError(`${where}: column ${TARGET_COLUMN}: expected 0 or 1, got ${JSON.stringify(label)}`);
    }
    const customerId = field('customer_id').trim();
    if (customerId === '')
      throw new TrainingDataError(`${where}: column customer_id: expected an id, got an empty value`);
    return { ...features, customer_id: customerId, churned: label === '1' ? 1 : 0 };
  });
}

/** Every row of every file in a channel folder, and the files' names relative to it. */
export function readChannel(folder: string): { rows: LabelledRow[]; files: string[] } {
  const files = channelFiles(folder);
  const rows: LabelledRow[] = [];
  for (const file of files) {
    // push(...) of a 50k-row file would overflow the argument stack; a loop does not.
    for (const row of readTrainingFile(file, relative(folder, file))) rows.push(row);
  }
  return { rows, files: files.map((file) => relative(folder, file)) };
}
