import type { DatasetAcceptedDetail, DatasetRejectedDetail, FailedCheck } from '../../events/lifecycle';
import { bold, code, formatFigure, plural, type Inline, type Line } from '../mrkdwn';
import {
  artifactLink,
  type ContentRenderer,
  type Fact,
  type LinkRef,
  type RenderContext,
} from '../notification-content';

/** Failed checks get at most this many section blocks (20 checks with 3 long examples each need about 6). */
const FAILED_CHECK_SECTIONS = 10;

const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;

function contractFacts(d: DatasetAcceptedDetail): Fact[] {
  return [
    { label: 'Rows', value: [formatFigure(d.rows)] },
    { label: 'Contract', value: [code(d.contractId), ` v${d.contractVersion}`] },
    { label: 'Dataset version', value: [code(d.datasetId)] },
    { label: 'File', value: [code(s3Uri(d.bucket, d.key))] },
    ...(d.versionId === undefined ? [] : [{ label: 'S3 version', value: [code(d.versionId)] }]),
  ];
}

const dataFileLink = (d: DatasetAcceptedDetail, context: RenderContext): LinkRef => ({
  label: 'Data file',
  url: context.links.s3Object(d.bucket, d.key),
});

/** `Dataset Accepted`: the file, its rows and contract, and the report. */
export const renderDatasetAccepted: ContentRenderer<DatasetAcceptedDetail> = (d, context) => ({
  emoji: ':white_check_mark:',
  title: 'Dataset accepted',
  summary: [
    code(s3Uri(d.bucket, d.key)),
    ' passed contract ',
    code(d.contractId),
    ` v${d.contractVersion} with ${plural(d.rows, 'row')}. It joins the training window as dataset version `,
    code(d.datasetId),
    '.',
  ],
  facts: contractFacts(d),
  links: [...artifactLink(context, 'Contract report', d.reportKey), dataFileLink(d, context)],
});

/** One failed check: name, column, observed against expected, then its examples with line numbers. */
export function failedCheckItem(check: FailedCheck): Line {
  const pieces: Inline[] = [bold(check.name)];
  if (check.property !== undefined) pieces.push(' (', code(check.property), ')');
  pieces.push(': observed ', code(check.observed), ', expected ', code(check.expected));
  for (const example of check.examples) {
    const where: Inline[] = [];
    if (example.line !== undefined) where.push(`line ${formatFigure(example.line)}`);
    if (example.column !== undefined && example.column !== check.property) {
      where.push(where.length > 0 ? ', column ' : 'column ', code(example.column));
    }
    pieces.push('\n•  ', ...(where.length > 0 ? [...where, ': '] : []), code(example.value));
  }
  return pieces;
}

/**
 * `Dataset Rejected`: how many checks failed, each listed check with its first failing values and line numbers,
 * and links to the report and the quarantined copy.
 */
export const renderDatasetRejected: ContentRenderer<DatasetRejectedDetail> = (d, context) => {
  const unlisted = d.failedCheckCount - d.failedChecks.length;
  return {
    emoji: ':no_entry:',
    title: 'Dataset rejected',
    summary: [
      code(s3Uri(d.bucket, d.key)),
      ' broke contract ',
      code(d.contractId),
      ` v${d.contractVersion}: `,
      bold(plural(d.failedCheckCount, 'failed check')),
      ` after ${plural(d.rows, 'row')}. The file was quarantined; nothing was trained on it.`,
    ],
    facts: [
      { label: 'Failed checks', value: [formatFigure(d.failedCheckCount)] },
      ...contractFacts(d),
      { label: 'Quarantined copy', value: [code(d.quarantineKey)] },
    ],
    details: [
      {
        heading: 'Failed checks',
        items: d.failedChecks.map(failedCheckItem),
        unlisted,
        more: (n) => `…and ${plural(n, 'more failed check')} in the contract report.`,
        maxSections: FAILED_CHECK_SECTIONS,
      },
    ],
    links: [
      ...artifactLink(context, 'Contract report', d.reportKey),
      ...(context.quarantineBucket === undefined
        ? []
        : [{ label: 'Quarantined copy', url: context.links.s3Object(context.quarantineBucket, d.quarantineKey) }]),
      dataFileLink(d, context),
    ],
  };
};
