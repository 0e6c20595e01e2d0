import type { ModelRegisteredDetail, ModelRejectedDetail } from '../../events/lifecycle';
import { bold, code, type Line } from '../mrkdwn';
import { dashboardLink, type ContentRenderer } from '../notification-content';
import { comparisonFact, comparisonLines, metricsList } from './metrics';

/** `Model Registered`: the version, its approval state, and how it compares with the gate and the champion. */
export const renderModelRegistered: ContentRenderer<ModelRegisteredDetail> = (d, context) => ({
  emoji: ':package:',
  title: 'Model registered',
  summary: [
    'Model version ',
    bold(`v${d.modelVersion}`),
    ' passed the quality gate and was registered in ',
    code(d.modelPackageGroupName),
    '. ',
    d.approvalStatus === 'Approved'
      ? 'It is approved; deployment starts next.'
      : 'It waits for manual approval in the Model Registry before it is deployed.',
  ],
  facts: [
    { label: 'Version', value: [`v${d.modelVersion}`] },
    {
      label: 'Approval',
      value: [d.approvalStatus === 'Approved' ? 'Approved' : 'Pending manual approval'],
    },
    { label: 'Gate metric', value: comparisonFact(d.comparison) },
    { label: 'Run', value: [code(d.runId)] },
    { label: 'Model package group', value: [code(d.modelPackageGroupName)] },
  ],
  details: [
    { heading: 'Quality gate', items: comparisonLines(d.comparison), more: (n) => `…and ${n} more.` },
    ...metricsList('Metrics', d.metrics),
  ],
  links: [
    { label: 'Model registry', url: context.links.modelPackageGroup(d.modelPackageGroupName) },
    ...dashboardLink(context),
  ],
});

/** `Model Rejected`: every failed gate rule, the comparison and the metrics. */
export const renderModelRejected: ContentRenderer<ModelRejectedDetail> = (d, context) => ({
  emoji: ':octagonal_sign:',
  title: 'Model rejected',
  summary: [
    'The model of run ',
    code(d.runId),
    ' failed the quality gate and was not registered. The champion keeps serving.',
  ],
  facts: [
    { label: 'Run', value: [code(d.runId)] },
    { label: 'Failed rules', value: [String(d.reasons.length)] },
    ...(d.comparison === undefined ? [] : [{ label: 'Gate metric', value: comparisonFact(d.comparison) }]),
  ],
  details: [
    {
      heading: 'Why',
      items: d.reasons.map((reason): Line => [`•  ${reason}`]),
      more: (n) => `…and ${n} more.`,
    },
    ...(d.comparison === undefined
      ? []
      : [{ heading: 'Quality gate', items: comparisonLines(d.comparison), more: (n: number) => `…and ${n} more.` }]),
    ...metricsList('Metrics', d.metrics),
  ],
  links: dashboardLink(context),
});
