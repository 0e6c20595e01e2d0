/**
 * JSON Lines: one JSON object per line. Lines are cut with the native `indexOf` (several GB/s here) and each is
 * parsed with `JSON.parse`; a line that is not an object is an invalid record with its reason, an empty line is
 * skipped. A JSON string cannot hold a raw newline, so every newline ends a record: byte ranges need no care.
 */
import { readFailure, type ReadFailure } from './validation-limits';

const LF = 10;
const CR = 13;

/** Receives each line, without its line break. */
export interface JsonLineSink {
  jsonLine(buf: Buffer, start: number, end: number, line: number): void;
}

/** Cuts a stream of bytes into lines (like the CSV tokenizer, it carries the unfinished tail). */
export class JsonLinesReader {
  /** Physical line of the next record. */
  public line: number;
  public failure: ReadFailure | null = null;
  public stopped = false;

  constructor(
    private readonly maxLineBytes: number,
    firstLine = 1,
  ) {
    this.line = firstLine;
  }

  /** Passes the complete lines of `buf[from, to)` to the sink and returns where the first unfinished one starts. */
  parse(buf: Buffer, from: number, to: number, final: boolean, sink: JsonLineSink, stopAt = Infinity): number {
    // indexOf searches to the end of the buffer, whose tail past `to` holds stale bytes.
    const view = to === buf.length ? buf : buf.subarray(0, to);
    let pos = from;
    this.stopped = false;
    while (pos < to && pos < stopAt) {
      const nl = view.indexOf(LF, pos);
      const end = nl < 0 ? to : nl;
      if (end - pos > this.maxLineBytes) {
        this.failure = readFailure('line-too-long', `line longer than ${this.maxLineBytes} bytes`, this.line);
        return pos;
      }
      if (nl < 0 && !final) return pos;
      sink.jsonLine(buf, pos, end > pos && buf[end - 1] === CR ? end - 1 : end, this.line);
      if (nl < 0) {
        pos = to;
        break;
      }
      this.line++;
      pos = nl + 1;
    }
    this.stopped = pos >= stopAt;
    return pos;
  }
}
