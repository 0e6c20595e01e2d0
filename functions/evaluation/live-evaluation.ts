/**
 * The join of captured inferences with their ground truth, streaming with bounded memory: every capture line is read
 * first, its drift counted at once and only its predictions kept (in typed arrays, indexed by the 64-bit hash of its
 * join key); then the ground-truth lines stream past the index, and each label that finds its capture adds its
 * (prediction, label) pairs to the metrics. 1M captures take about 60 MB.
 *
 * Join rule (Model Monitor's; REFERENCE.md 5.3): a capture's key is its `eventMetadata.inferenceId` when it has one,
 * else its `eventMetadata.eventId`; a ground-truth record's key is its `eventMetadata.eventId`. One ground-truth record
 * labels one captured request; a request of N rows needs N labels in it, in row order (see label-decoding.ts).
 * The first usable capture and the first label record of a key win; the others are counted as duplicates. Nothing is
 * fatal: every line that cannot be used is counted, and the first few are kept as examples with file, line and reason.
 */
import { Hasher } from '../contracts/uniqueness-table';
import { parseIsoTimestampBytes } from '../contracts/value-checks';
import { CaptureFields, GroundTruthFields, scanCaptureLine, scanGroundTruthLine } from './capture-record';
import { DriftStager } from './feature-drift';
import { EvaluationAccumulator, type EvaluationOptions, type VariantAccumulator } from './evaluation-accumulator';
import { JoinIndex } from './join-index';
import { RowLabels, decodeLabels } from './label-decoding';
import { BinaryAccumulator } from './binary-metrics';
import { MulticlassAccumulator } from './multiclass-metrics';
import { RegressionAccumulator } from './regression-metrics';
import { COUNT_ONLY, decodeInput, decodePredictions, RowPredictions } from './payload-decoding';
import { slotText, type StringSlot } from './json-line-scanner';
import { Float64List } from './typed-array-codec';

/** A key seen only in the ground truth (so far): a second label for it is a duplicate too. */
const LABEL_ONLY = -1;

/** A growable Int32Array. */
class Int32List {
  public length = 0;
  public values = new Int32Array(1024);
  push(v: number): void {
    if (this.length === this.values.length) {
      const next = new Int32Array(this.values.length * 2);
      next.set(this.values);
      this.values = next;
    }
    this.values[this.length++] = v;
  }
}

/** Captured lines, then ground-truth lines, in; an {@link EvaluationAccumulator} out. */
export class LiveEvaluation {
  readonly accumulator: EvaluationAccumulator;
  private readonly index: JoinIndex;
  private readonly hasher = new Hasher();
  private readonly capture = new CaptureFields();
  private readonly truth = new GroundTruthFields();
  private readonly predictions: RowPredictions;
  private readonly labels: RowLabels;
  private readonly stager: DriftStager | null;
  private readonly threshold: number;
  private readonly windowStart: number;
  private readonly windowEnd: number;

  /**
   * Per captured request, three doubles side by side: its first prediction row, `rows * 512 + variant * 2 + labeled`,
   * and its first row's value. The ground truth arrives in no particular order, so each label costs cache misses:
   * one here instead of one per array (profiled: 0.55 s -> 0.38 s of self time for 1M labels).
   */
  private readonly captures: Float64List;
  private captureCount = 0;
  private readonly variantList: VariantAccumulator[] = [];
  private readonly variantIds = new Map<string, number>();
  /** Per prediction row: the score or value (binary, regression) or the class id (multiclass). */
  private readonly rowValues: Float64List;
  /** Multiclass: per row, where its probabilities start in `probabilities` (-1: none) and how many. */
  private readonly probabilityStart = new Int32List();
  private readonly probabilityCount = new Int32List();
  private readonly probabilities = new Float64List();
  private readonly classNames: string[] = [];
  private readonly classIds = new Map<string, number>();
  private readonly probabilityColumn: Map<string, number>;
  private labelsStarted = false;

  /** `expectedCaptures` sizes the index and arrays up front (no rehash or copy while reading). */
  constructor(
    readonly options: EvaluationOptions,
    expectedCaptures = 1 << 14,
  ) {
    this.index = new JoinIndex(Math.ceil(expectedCaptures * 1.6));
    this.captures = new Float64List(expectedCaptures * 3);
    this.rowValues = new Float64List(expectedCaptures);
    this.accumulator = new EvaluationAccumulator(options);
    this.predictions = new RowPredictions(options.problemType, options.classLabels);
    this.labels = new RowLabels(options.problemType);
    this.stager = this.accumulator.driftPlan === null ? null : new DriftStager(this.accumulator.driftPlan);
    this.threshold = options.threshold ?? 0.5;
    this.windowStart = options.window?.start.getTime() ?? -Infinity;
    this.windowEnd = options.window?.end.getTime() ?? Infinity;
    this.probabilityColumn = new Map((options.classLabels ?? []).map((label, i) => [label, i]));
  }

  /** A capture file starts (for the counts). */
  captureFile(): void {
    this.accumulator.capture.files++;
  }

  /** A ground-truth file starts (for the counts). */
  groundTruthFile(): void {
    this.accumulator.groundTruth.files++;
  }

  private hashSlot(buf: Uint8Array, slot: StringSlot): void {
    if (!slot.escaped) this.hasher.bytes(buf, slot.start, slot.end);
    else {
      const text = Buffer.from(slotText(buf, slot), 'utf8');
      this.hasher.bytes(text, 0, text.length);
    }
  }

  private variantIndex(name: string): number {
    let id = this.variantIds.get(name);
    if (id === undefined) {
      if (this.variantList.length === 255) throw new RangeError('more than 255 variants');
      id = this.variantList.length;
      this.variantIds.set(name, id);
      this.variantList.push(this.accumulator.variant(name));
    }
    return id;
  }

  private classId(label: string): number {
    let id = this.classIds.get(label);
    if (id === undefined) {
      id = this.classNames.length;
      this.classIds.set(label, id);
      this.classNames.push(label);
    }
    return id;
  }

  /**
   * One line of a capture file (`buf[start, end)`, no line break). `variant` is the production variant the file
   * belongs to (from its S3 key); '' when unknown. Every capture line must come before the first ground-truth line.
   */
  captureLine(buf: Uint8Array, start: number, end: number, file: string, line: number, variant = ''): void {
    if (this.labelsStarted) throw new Error('every capture line must be read before the first ground-truth line');
    const acc = this.accumulator;
    const counts = acc.capture;
    counts.lines++;
    const fields = this.capture;
    const b = scanCaptureLine(buf, start, end, fields);
    if (typeof b === 'string') return this.unparseable(file, line, b);
    if (!fields.hasCaptureData) return this.unparseable(file, line, 'no captureData');
    const meta = fields.metadata;
    if (!meta.eventId.present) return this.unparseable(file, line, 'no eventMetadata.eventId');
    if (meta.inferenceTime.present && this.windowStart > -Infinity) {
      const t = parseIsoTimestampBytes(b, meta.inferenceTime.start, meta.inferenceTime.end);
      if (!Number.isNaN(t) && (t < this.windowStart || t >= this.windowEnd)) {
        counts.outsideWindow++;
        return;
      }
    }
    this.hashSlot(b, meta.inferenceId.present ? meta.inferenceId : meta.eventId);
    const h1 = this.hasher.h1;
    const h2 = this.hasher.h2;
    if (this.index.find(h1, h2) >= 0) {
      counts.duplicates++;
      return;
    }
    if (!fields.output.seen) return this.invalid(file, line, 'no endpointOutput (the response was not captured)');
    let rows = -1;
    const stager = this.stager;
    if (fields.input.seen) {
      stager?.reset();
      const decoded = decodeInput(b, fields.input, stager ?? COUNT_ONLY);
      if (typeof decoded === 'string') return this.invalid(file, line, decoded);
      rows = decoded;
    }
    const predictions = this.predictions;
    const error = decodePredictions(b, fields.output, rows, predictions);
    if (error !== null) return this.invalid(file, line, error);
    const n = predictions.count;
    if (n === 0) return this.invalid(file, line, 'no prediction in the response');
    if (n > 1 << 20) return this.invalid(file, line, `${n} predictions in one response (at most ${1 << 20})`);
    const kind = this.options.problemType;
    if (rows >= 0 && rows !== n) return this.invalid(file, line, `${rows} request row(s) but ${n} prediction(s)`);

    const v = this.variantIndex(variant);
    const target = this.variantList[v]!;
    this.index.insert(h1, h2, this.captureCount++);
    const captures = this.captures;
    captures.push(this.rowValues.length);
    captures.push(n * 512 + v * 2);
    captures.push(kind === 'multiclass' ? this.classId(predictions.labels[0]!) : predictions.scores[0]!);
    if (stager !== null && rows < 0) {
      stager.reset();
      stager.ensureRows(n);
    }
    for (let r = 0; r < n; r++) {
      if (kind === 'multiclass') {
        const label = predictions.labels[r]!;
        this.rowValues.push(this.classId(label));
        const p = predictions.probabilities[r];
        if (p === null || p === undefined) {
          this.probabilityStart.push(-1);
          this.probabilityCount.push(0);
        } else {
          this.probabilityStart.push(this.probabilities.length);
          this.probabilityCount.push(p.length);
          for (const x of p) this.probabilities.push(x);
        }
        stager?.prediction(r, label);
      } else {
        const score = predictions.scores[r]!;
        this.rowValues.push(score);
        stager?.prediction(r, kind === 'binary' ? (score >= this.threshold ? 1 : 0) : score);
      }
    }
    if (stager !== null) counts.widthMismatches += stager.commit(target.drift!);
    counts.records++;
    counts.samples += n;
    target.records++;
    target.samples += n;
  }

  /** A capture line too long to be a record (see `MAX_LINE_BYTES`). */
  captureTooLong(file: string, line: number): void {
    this.accumulator.capture.lines++;
    this.unparseable(file, line, 'line too long to be a capture record');
  }

  /** A ground-truth line too long to be a record. */
  groundTruthTooLong(file: string, line: number): void {
    this.accumulator.groundTruth.lines++;
    this.accumulator.groundTruth.unparseable++;
    this.accumulator.example('unparseable-ground-truth', file, line, 'line too long to be a label record');
  }

  private unparseable(file: string, line: number, reason: string): void {
    this.accumulator.capture.unparseable++;
    this.accumulator.example('unparseable-capture', file, line, reason);
  }

  private invalid(file: string, line: number, reason: string): void {
    this.accumulator.capture.invalid++;
    this.accumulator.example('invalid-capture', file, line, reason);
  }

  /** One line of a ground-truth file. */
  groundTruthLine(buf: Uint8Array, start: number, end: number, file: string, line: number): void {
    this.labelsStarted = true;
    const acc = this.accumulator;
    const counts = acc.groundTruth;
    counts.lines++;
    const fields = this.truth;
    const b = scanGroundTruthLine(buf, start, end, fields);
    if (typeof b === 'string' || !fields.metadata.eventId.present) {
      counts.unparseable++;
      acc.example('unparseable-ground-truth', file, line, typeof b === 'string' ? b : 'no eventMetadata.eventId');
      return;
    }
    this.hashSlot(b, fields.metadata.eventId);
    const slot = this.index.find(this.hasher.h1, this.hasher.h2);
    if (slot < 0) {
      counts.records++;
      this.index.insert(this.hasher.h1, this.hasher.h2, LABEL_ONLY);
      return;
    }
    const capture = this.index.valueAt(slot);
    const captures = this.captures.values;
    const info = capture === LABEL_ONLY ? 0 : captures[capture * 3 + 1]!;
    if (capture === LABEL_ONLY || info % 2 === 1) {
      counts.duplicates++;
      return;
    }
    counts.records++;
    captures[capture * 3 + 1] = info + 1;
    const labels = this.labels;
    const error = decodeLabels(b, fields.label, labels);
    const rows = Math.floor(info / 512);
    if (error !== null || labels.count !== rows) {
      acc.join.invalidLabels++;
      acc.example('invalid-label', file, line, error ?? `${labels.count} label(s) for a request of ${rows} row(s)`);
      return;
    }
    const variant = this.variantList[Math.floor(info / 2) % 256]!;
    const metrics = variant.metrics;
    const first = captures[capture * 3]!;
    const values = this.rowValues.values;
    if (rows === 1 && !(metrics instanceof MulticlassAccumulator)) {
      metrics.add(captures[capture * 3 + 2]!, labels.values[0]!);
    } else if (metrics instanceof BinaryAccumulator || metrics instanceof RegressionAccumulator) {
      for (let r = 0; r < rows; r++) metrics.add(values[first + r]!, labels.values[r]!);
    } else {
      for (let r = 0; r < rows; r++) {
        const trueLabel = labels.texts[r]!;
        const predicted = this.classNames[values[first + r]!]!;
        metrics.add(metrics.classId(trueLabel), metrics.classId(predicted), this.trueProbability(first + r, trueLabel));
      }
    }
    acc.join.matchedRecords++;
    acc.join.matched += rows;
    variant.matched += rows;
  }

  /** The probability row `row` gave class `label`, or NaN when it has none for it. */
  private trueProbability(row: number, label: string): number {
    const start = this.probabilityStart.values[row]!;
    if (start < 0) return NaN;
    const column = this.probabilityColumn.size > 0 ? this.probabilityColumn.get(label) : columnOfIndexLabel(label);
    if (column === undefined || column >= this.probabilityCount.values[row]!) return NaN;
    return this.probabilities.values[start + column]!;
  }

  /** Bytes held by the join's index and per-row arrays (for the benchmark's memory account). */
  get indexBytes(): number {
    return this.index.bytes + this.captures.values.byteLength + this.rowValues.values.byteLength;
  }
}

/** Without class labels, probability column i is class "i". */
function columnOfIndexLabel(label: string): number | undefined {
  return /^(0|[1-9]\d{0,5})$/.test(label) ? Number(label) : undefined;
}
