import type { TrainingFailedDetail, TrainingStartedDetail, TrainingSucceededDetail } from '../../events/lifecycle';
import { code, plural, preformatted, type Line } from '../mrkdwn';
import {
  artifactLink,
  type ContentRenderer,
  type DetailList,
  type Fact,
  type LinkRef,
  type RenderContext,
} from '../notification-content';
import { metricsList } from './metrics';

/** Dataset ids listed at most; the manifest has them all. */
const LISTED_DATASETS = 10;

type RunDetail = TrainingStartedDetail;

function runFacts(d: RunDetail): Fact[] {
  return [
    { label: 'Training job', value: [code(d.trainingJobName)] },
    { label: 'Run', value: [code(d.runId)] },
    { label: 'Dataset versions', value: [plural(d.datasetIds.length, 'version')] },
  ];
}

function datasetList(d: RunDetail): DetailList {
  return {
    heading: 'Dataset versions',
    items: d.datasetIds.slice(0, LISTED_DATASETS).map((id): Line => [code(id)]),
    unlisted: Math.max(0, d.datasetIds.length - LISTED_DATASETS),
    more: (n) => `…and ${n} more in the training manifest.`,
  };
}

function runLinks(d: RunDetail, context: RenderContext): LinkRef[] {
  return [
    { label: 'Training job', url: context.links.trainingJob(d.trainingJobName) },
    { label: 'Training logs', url: context.links.trainingJobLogs(d.trainingJobName) },
    ...artifactLink(context, 'Input manifest', d.manifestKey),
  ];
}

/** `Training Started`: the job, the run and the data it trains on. */
export const renderTrainingStarted: ContentRenderer<TrainingStartedDetail> = (d, context) => ({
  emoji: ':hourglass_flowing_sand:',
  title: 'Training started',
  summary: [
    'Training job ',
    code(d.trainingJobName),
    ` started on ${plural(d.datasetIds.length, 'accepted dataset version')}.`,
  ],
  facts: runFacts(d),
  details: [datasetList(d)],
  links: runLinks(d, context),
});

/** `Training Succeeded`: the job's final metrics; the quality gate runs next. */
export const renderTrainingSucceeded: ContentRenderer<TrainingSucceededDetail> = (d, context) => ({
  emoji: ':checkered_flag:',
  title: 'Training succeeded',
  summary: [
    'Training job ',
    code(d.trainingJobName),
    ' completed. The quality gate compares the model with its thresholds and the champion next.',
  ],
  facts: runFacts(d),
  details: metricsList('Final metrics', d.metrics),
  links: runLinks(d, context),
});

const FAILURE_WORDS: Record<NonNullable<TrainingFailedDetail['trainingJobStatus']> | 'none', string> = {
  Failed: ' failed',
  Stopped: ' was stopped',
  none: ' could not be started',
};

/** `Training Failed`: why, with links to the job and its logs. */
export const renderTrainingFailed: ContentRenderer<TrainingFailedDetail> = (d, context) => ({
  emoji: ':x:',
  title: 'Training failed',
  summary: [
    'Training job ',
    code(d.trainingJobName),
    FAILURE_WORDS[d.trainingJobStatus ?? 'none'],
    '. Nothing was registered; the champion keeps serving.',
  ],
  facts: [...runFacts(d), { label: 'Status', value: [d.trainingJobStatus ?? 'never reached SageMaker'] }],
  details: [{ heading: 'Reason', items: [[preformatted(d.reason)]], more: () => '' }],
  links: runLinks(d, context),
});
