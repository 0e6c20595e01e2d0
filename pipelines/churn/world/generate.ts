/**
 * Writes the churn world's files by hand, for trying the contract, the trainer and the server without the demo:
 *
 *   npx tsx pipelines/churn/world/generate.ts good --seed 1 --rows 20000 --out /tmp/churn
 *   npx tsx pipelines/churn/world/generate.ts drifted --seed 2 --out /tmp/churn
 *   npx tsx pipelines/churn/world/generate.ts malformed --seed 3 --out /tmp/churn
 *   npx tsx pipelines/churn/world/generate.ts traffic --seed 4 --count 1000 --out /tmp/churn
 *
 * Each prints what it wrote. `--concept competitor-enters` labels under the shifted concept.
 */
import { join } from 'node:path';

import { Command, InvalidArgumentError } from 'commander';

import { driftedBatch, goodBatch, malformedBatch, type BatchDialect, type GoodBatchOptions } from './batch-files';
import { COMPETITOR_ENTERS, STEADY_MARKET, type ChurnConcept } from './churn-concepts';
import { groundTruthFiles } from './ground-truth';
import { inferenceRequests } from './inference-traffic';
import { writeBatchFile, writeGroundTruthFiles, writeRequests } from './world-files';

const CONCEPTS: Readonly<Record<string, ChurnConcept>> = {
  [STEADY_MARKET.name]: STEADY_MARKET,
  [COMPETITOR_ENTERS.name]: COMPETITOR_ENTERS,
};

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expected a whole number, got ${value}`);
  return n;
}

function concept(value: string): ChurnConcept {
  const found = CONCEPTS[value];
  if (found === undefined) {
    throw new InvalidArgumentError(`expected one of ${Object.keys(CONCEPTS).join(', ')}, got ${value}`);
  }
  return found;
}

interface BatchFlags {
  seed: number;
  rows?: number;
  out: string;
  concept?: ChurnConcept;
  date?: string;
  crlf?: boolean;
  bom?: boolean;
  quoteText?: boolean;
  gzip?: boolean;
}

/** Only the dialect flags given on the command line; the rest is drawn from the seed. */
function dialect(flags: BatchFlags): Partial<BatchDialect> {
  return {
    ...(flags.crlf === undefined ? {} : { lineEnding: flags.crlf ? '\r\n' : '\n' }),
    ...(flags.bom === undefined ? {} : { byteOrderMark: flags.bom }),
    ...(flags.quoteText === undefined ? {} : { quoteText: flags.quoteText }),
    ...(flags.gzip === undefined ? {} : { gzip: flags.gzip }),
  };
}

function batchOptions(flags: BatchFlags): GoodBatchOptions {
  return {
    dialect: dialect(flags),
    ...(flags.rows === undefined ? {} : { rows: flags.rows }),
    ...(flags.concept === undefined ? {} : { concept: flags.concept }),
    ...(flags.date === undefined ? {} : { snapshotDate: flags.date }),
  };
}

function batchCommand(program: Command, name: string, description: string): Command {
  return program
    .command(name)
    .description(description)
    .requiredOption('--seed <n>', 'seed of the file', integer)
    .requiredOption('--out <folder>', 'folder to write into')
    .option('--rows <n>', 'data rows', integer)
    .option('--date <yyyy-MM-dd>', 'snapshot date')
    .option('--crlf', 'CRLF line endings')
    .option('--no-crlf', 'LF line endings')
    .option('--bom', 'start with a UTF-8 byte order mark')
    .option('--no-bom', 'no byte order mark')
    .option('--quote-text', 'quote every text field')
    .option('--no-quote-text', 'quote only fields that need it')
    .option('--gzip', 'gzip the file (.csv.gz)')
    .option('--no-gzip', 'plain CSV');
}

const program = new Command('generate').description('write files of the simulated churn world');

batchCommand(program, 'good', 'a batch that passes the contract')
  .option('--concept <name>', `labelling concept: ${Object.keys(CONCEPTS).join(', ')}`, concept)
  .action((flags: BatchFlags) => {
    const file = goodBatch(flags.seed, batchOptions(flags));
    console.log(`${writeBatchFile(flags.out, file)}: ${file.rows.length} rows, ${JSON.stringify(file.dialect)}`);
  });

batchCommand(program, 'drifted', 'a well-formed batch that the drift check rejects').action((flags: BatchFlags) => {
  const file = driftedBatch(flags.seed, batchOptions(flags));
  console.log(`${writeBatchFile(flags.out, file)}: ${file.rows.length} rows, ${JSON.stringify(file.dialect)}`);
});

batchCommand(program, 'malformed', 'a batch that breaks the contract in listed ways').action((flags: BatchFlags) => {
  const file = malformedBatch(flags.seed, {
    dialect: dialect(flags),
    ...(flags.rows === undefined ? {} : { rows: flags.rows }),
    ...(flags.date === undefined ? {} : { snapshotDate: flags.date }),
  });
  console.log(`${writeBatchFile(flags.out, file)}: ${file.rows.length} rows`);
  for (const defect of file.defects) {
    console.log(
      `  ${defect.checkId}: ${defect.line === null ? 'header' : `line ${defect.line}`} ${defect.value ?? ''}`,
    );
  }
});

program
  .command('traffic')
  .description('inference requests (requests.jsonl, with the hidden truth) and their ground-truth files')
  .requiredOption('--seed <n>', 'seed', integer)
  .requiredOption('--out <folder>', 'folder to write into')
  .option('--count <n>', 'requests', integer, 1000)
  .option('--concept <name>', `concept in force: ${Object.keys(CONCEPTS).join(', ')}`, concept)
  .option('--missing <share>', 'share of labels that never arrive', Number, 0.1)
  .action((flags: { seed: number; out: string; count: number; concept?: ChurnConcept; missing: number }) => {
    const requests = inferenceRequests(flags.seed, flags.count, flags.concept ? { concept: flags.concept } : {});
    console.log(`${writeRequests(join(flags.out, 'requests.jsonl'), requests)}: ${requests.length} requests`);
    const files = groundTruthFiles(requests, { prefix: 'ground-truth', seed: flags.seed, missingShare: flags.missing });
    for (const path of writeGroundTruthFiles(flags.out, files)) console.log(path);
  });

await program.parseAsync();
