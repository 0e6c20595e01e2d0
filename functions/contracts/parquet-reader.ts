/**
 * Parquet through hyparquet, one row group at a time: the footer is fetched first with a ranged read, then each row
 * group's column chunks, so memory is bounded by the largest row group (checked against `maxRowGroupBytes` before it
 * is read). Values arrive as JavaScript values (numbers, bigints, strings, booleans, Dates) and are checked like
 * JSON values; line numbers do not apply, examples carry the 1-based row.
 */
import { parquetMetadata, parquetRead, parquetSchema, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { type ByteSource, collectBytes } from './byte-source';
import type { DatasetValidator } from './dataset-validator';
import { type EngineLimits, readFailure } from './validation-limits';

/** Footer metadata at most (a hostile length could claim gigabytes). */
const MAX_FOOTER_BYTES = 64 * 1024 * 1024;

/** Thrown by the AsyncBuffer when the source itself fails, so that it is not mistaken for a corrupt file. */
class SourceReadError extends Error {
  public override readonly name = 'SourceReadError';
}

/** Checks every row of a Parquet object; returns the bytes read from the source. */
export async function readParquet(
  validator: DatasetValidator,
  source: ByteSource,
  limits: EngineLimits,
): Promise<number> {
  const size = source.size;
  let bytesRead = 0;
  if (size === undefined) {
    validator.fail(readFailure('malformed-parquet', 'a Parquet object needs a known size (its footer is at the end)'));
    return 0;
  }
  const fetch = async (start: number, end: number): Promise<ArrayBuffer> => {
    try {
      const bytes = await collectBytes(source.read(start, end), end - start);
      bytesRead += bytes.byteLength;
      return bytes.buffer instanceof ArrayBuffer &&
        bytes.byteOffset === 0 &&
        bytes.byteLength === bytes.buffer.byteLength
        ? bytes.buffer
        : bytes.slice().buffer;
    } catch (error) {
      throw new SourceReadError(error instanceof Error ? error.message : String(error), { cause: error });
    }
  };
  if (size < 12) {
    validator.fail(readFailure('malformed-parquet', `not a Parquet file: ${size} bytes is too small`));
    return 0;
  }
  try {
    const tail = new Uint8Array(await fetch(size - 8, size));
    const footerLength = new DataView(tail.buffer, tail.byteOffset, 8).getUint32(0, true);
    if (String.fromCharCode(...tail.subarray(4)) !== 'PAR1') {
      validator.fail(readFailure('malformed-parquet', 'not a Parquet file: the last bytes are not PAR1 (truncated?)'));
      return bytesRead;
    }
    if (footerLength + 12 > size || footerLength > MAX_FOOTER_BYTES) {
      validator.fail(readFailure('malformed-parquet', `invalid footer length ${footerLength} for a ${size}-byte file`));
      return bytesRead;
    }
    const metadata: FileMetaData = parquetMetadata(await fetch(size - 8 - footerLength, size));
    const names = parquetSchema(metadata).children.map((c) => c.element.name);
    validator.beginColumns(names);
    const declared = validator.columns.map((c) => c.name);
    const wanted = declared.filter((n) => names.includes(n));
    const missing = declared.filter((n) => !names.includes(n));
    const schema = parquetSchema(metadata).children;
    const nested = new Set(schema.filter((c) => c.children.length > 0).map((c) => c.element.name));
    const flat = new Set(wanted.filter((n) => !nested.has(n)));
    const file: AsyncBuffer = { byteLength: size, slice: (start, end) => fetch(start, end ?? size) };
    let rowStart = 0;
    for (const [index, group] of metadata.row_groups.entries()) {
      const rows = Number(group.num_rows);
      const groupBytes = Number(group.total_byte_size);
      if (groupBytes > limits.maxRowGroupBytes) {
        validator.fail(
          readFailure(
            'too-large',
            `row group ${index} holds ${groupBytes} bytes uncompressed, more than ${limits.maxRowGroupBytes}`,
          ),
        );
        return bytesRead;
      }
      const first = validator.rows + 1;
      // Values of rows [from, to) of the file, as they are decoded.
      const take = (name: string, values: ArrayLike<unknown>, from: number, to: number) => {
        const start = Math.max(from, rowStart);
        const end = Math.min(to, rowStart + rows);
        if (end > start) validator.columnValues(name, values, start - from, end - start, first + start - rowStart);
      };
      if (wanted.length > 0 && rows > 0) {
        await parquetRead({
          file,
          metadata,
          columns: wanted,
          rowStart,
          rowEnd: rowStart + rows,
          compressors,
          // Strings as their UTF-8 bytes: the checks read bytes, and a string per value cost a decode and GC.
          utf8: false,
          // Page by page for flat columns (a page in memory, not the whole column chunk); nested ones come assembled.
          onPage: (page) => {
            const name = page.pathInSchema[0];
            if (page.pathInSchema.length === 1 && name !== undefined && flat.has(name)) {
              take(name, page.columnData, page.rowStart, page.rowEnd);
            }
          },
          ...(nested.size === 0
            ? {}
            : {
                onChunk: (chunk: {
                  columnName: string;
                  columnData: ArrayLike<unknown>;
                  rowStart: number;
                  rowEnd: number;
                }) => {
                  if (nested.has(chunk.columnName))
                    take(chunk.columnName, chunk.columnData, chunk.rowStart, chunk.rowEnd);
                },
              }),
        });
      }
      for (const name of missing) validator.columnValues(name, null, 0, rows, first);
      validator.addRows(rows);
      validator.decompressedBytes += groupBytes;
      rowStart += rows;
    }
  } catch (error) {
    if (error instanceof SourceReadError) throw error.cause;
    validator.fail(
      readFailure(
        'malformed-parquet',
        `cannot decode the Parquet file: ${error instanceof Error ? error.message : String(error)}`,
      ),
    );
  }
  return bytesRead;
}
