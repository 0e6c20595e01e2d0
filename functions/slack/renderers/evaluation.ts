import type { DriftDetectedDetail, EvaluationCompletedDetail, ModelDegradedDetail } from '../../events/lifecycle';
import { bold, code, formatFigure, formatPercent, formatTime, plural, type Line } from '../mrkdwn';
import {
  artifactLink,
  dashboardLink,
  type ContentRenderer,
  type Fact,
  type LinkRef,
  type RenderContext,
} from '../notification-content';
import { driftedFeatureItem, metricsList } from './metrics';

type Evaluation = Pick<EvaluationCompletedDetail, 'endpointName' | 'modelVersion' | 'reportKey' | 'evaluationId'>;
type Verdict = EvaluationCompletedDetail['verdict'];
type Action = ModelDegradedDetail['action'];

const VERDICTS: Record<Verdict, { emoji: string; title: string }> = {
  ok: { emoji: ':large_green_circle:', title: 'Evaluation completed: ok' },
  degraded: { emoji: ':warning:', title: 'Evaluation completed: degraded' },
  drift: { emoji: ':warning:', title: 'Evaluation completed: drift' },
  'insufficient-data': { emoji: ':grey_question:', title: 'Evaluation completed: too little data' },
};

/** What the evaluation policy did about the finding (pipeline.yaml `evaluation.onDegradation` / `onDrift`). */
const ACTIONS: Record<Action, string> = {
  notify: 'No automatic action (policy: notify).',
  retrain: 'A retraining run was requested (policy: retrain).',
  rollback: 'The endpoint is rolled back to the previous model version (policy: rollback).',
};

const DRIFTED_FEATURE_SECTIONS = 2;

function evaluationLinks(d: Evaluation, context: RenderContext): LinkRef[] {
  return [
    ...artifactLink(context, 'Evaluation report', d.reportKey),
    { label: 'Endpoint', url: context.links.endpoint(d.endpointName) },
    ...dashboardLink(context),
  ];
}

function endpointFacts(d: Evaluation): Fact[] {
  return [
    { label: 'Endpoint', value: [code(d.endpointName)] },
    ...(d.modelVersion === undefined ? [] : [{ label: 'Model version', value: [`v${d.modelVersion}`] }]),
  ];
}

function verdictSentence(d: EvaluationCompletedDetail): string {
  switch (d.verdict) {
    case 'ok':
      return 'model quality and input distributions are within bounds.';
    case 'degraded':
      return 'model quality is beyond its threshold.';
    case 'drift':
      return `${plural(d.driftedFeatures.length, 'input feature')} drifted from the training baseline.`;
    case 'insufficient-data':
      return `only ${plural(d.matched, 'labelled sample')}, too few to judge.`;
  }
}

const featuresMore = (n: number) => `…and ${plural(n, 'more feature')} in the evaluation report.`;

/** `Evaluation Completed`: the verdict, window, sample counts, metrics and drifted features. */
export const renderEvaluationCompleted: ContentRenderer<EvaluationCompletedDetail> = (d, context) => ({
  emoji: VERDICTS[d.verdict].emoji,
  title: VERDICTS[d.verdict].title,
  summary: [
    'Live evaluation of ',
    code(d.endpointName),
    ...(d.modelVersion === undefined ? [] : [' (', bold(`v${d.modelVersion}`), ')']),
    ` from ${formatTime(d.windowStart)} to ${formatTime(d.windowEnd)}: `,
    verdictSentence(d),
  ],
  facts: [
    { label: 'Verdict', value: [d.verdict] },
    { label: 'Captured inferences', value: [formatFigure(d.samples)] },
    { label: 'With ground truth', value: [`${formatFigure(d.matched)} (${formatPercent(d.matched, d.samples)})`] },
    { label: 'Drifted features', value: [formatFigure(d.driftedFeatures.length)] },
    ...endpointFacts(d),
    { label: 'Evaluation', value: [code(d.evaluationId)] },
  ],
  details: [
    ...metricsList('Metrics', d.metrics),
    ...(d.driftedFeatures.length === 0
      ? []
      : [
          {
            heading: 'Drifted features (worst first)',
            items: d.driftedFeatures.map(driftedFeatureItem),
            more: featuresMore,
            maxSections: DRIFTED_FEATURE_SECTIONS,
          },
        ]),
  ],
  links: evaluationLinks(d, context),
});

/** `Model Degraded`: the metric against its bound, how long, and what the policy did. */
export const renderModelDegraded: ContentRenderer<ModelDegradedDetail> = (d, context) => {
  const bound = d.bound === 'minimum' ? 'below the minimum' : 'above the maximum';
  return {
    emoji: ':chart_with_downwards_trend:',
    title: 'Model degraded',
    summary: [
      code(d.metric),
      ' is ',
      bold(formatFigure(d.value)),
      `, ${bound} ${formatFigure(d.threshold)}, for ${plural(d.consecutiveWindows, 'evaluation')} in a row on endpoint `,
      code(d.endpointName),
      '. ',
      ACTIONS[d.action],
    ],
    facts: [
      { label: 'Metric', value: [code(d.metric)] },
      { label: 'Value', value: [formatFigure(d.value)] },
      { label: d.bound === 'minimum' ? 'Minimum' : 'Maximum', value: [formatFigure(d.threshold)] },
      { label: 'Windows in a row', value: [formatFigure(d.consecutiveWindows)] },
      { label: 'Action', value: [d.action] },
      ...endpointFacts(d),
    ],
    links: evaluationLinks(d, context),
  };
};

/** `Drift Detected`: the drifted features with their PSI (and KS), the threshold and the action. */
export const renderDriftDetected: ContentRenderer<DriftDetectedDetail> = (d, context) => {
  const worst: Line = d.features[0] === undefined ? ['none'] : driftedFeatureItem(d.features[0]);
  return {
    emoji: ':ocean:',
    title: 'Drift detected',
    summary: [
      `${plural(d.features.length, 'input feature')} drifted from the training baseline (PSI above ${formatFigure(d.threshold)}) for ${plural(d.consecutiveWindows, 'evaluation')} in a row on endpoint `,
      code(d.endpointName),
      '. ',
      ACTIONS[d.action],
    ],
    facts: [
      { label: 'Drifted features', value: [formatFigure(d.features.length)] },
      { label: 'Worst', value: worst },
      { label: 'PSI threshold', value: [formatFigure(d.threshold)] },
      { label: 'Windows in a row', value: [formatFigure(d.consecutiveWindows)] },
      { label: 'Action', value: [d.action] },
      ...endpointFacts(d),
    ],
    details: [
      {
        heading: 'Drifted features (worst first)',
        items: d.features.map(driftedFeatureItem),
        more: featuresMore,
        maxSections: DRIFTED_FEATURE_SECTIONS,
      },
    ],
    links: evaluationLinks(d, context),
  };
};
