import type { ChampionComparison, DriftedFeature } from '../../events/lifecycle';
import { bold, code, formatDelta, formatFigure, type Inline, type Line } from '../mrkdwn';
import type { DetailList } from '../notification-content';

/** Metrics as a list, by name, `name value` each. */
export function metricsList(heading: string, metrics: Readonly<Record<string, number>>): DetailList[] {
  const entries = Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return [];
  return [
    {
      heading,
      items: entries.map(([name, value]): Line => [code(name), ` ${formatFigure(value)}`]),
      more: (n) => `…and ${n} more in the report.`,
    },
  ];
}

/** How much better (positive) the candidate is than the champion, in the metric's direction. */
export function improvementOverChampion(c: ChampionComparison): number | undefined {
  if (c.championValue === undefined) return undefined;
  return c.direction === 'maximize' ? c.value - c.championValue : c.championValue - c.value;
}

/** `0.912 (champion v6: 0.897, +0.015)` for the facts grid. */
export function comparisonFact(c: ChampionComparison): Line {
  const improvement = improvementOverChampion(c);
  if (improvement === undefined || c.championValue === undefined) {
    return [code(c.metric), ` ${formatFigure(c.value)}`];
  }
  const champion = c.championModelVersion === undefined ? 'champion' : `champion v${c.championModelVersion}`;
  return [
    code(c.metric),
    ` ${formatFigure(c.value)} (${champion}: ${formatFigure(c.championValue)}, ${formatDelta(improvement)})`,
  ];
}

/** The quality gate's comparison, one line per rule: thresholds, then the champion. */
export function comparisonLines(c: ChampionComparison): Line[] {
  const better = c.direction === 'maximize' ? 'higher is better' : 'lower is better';
  const lines: Line[] = [[code(c.metric), ' ', bold(formatFigure(c.value)), ` (${better})`]];
  if (c.minimum !== undefined) lines.push([`Gate: at least ${formatFigure(c.minimum)}`]);
  if (c.maximum !== undefined) lines.push([`Gate: at most ${formatFigure(c.maximum)}`]);
  const improvement = improvementOverChampion(c);
  if (improvement === undefined || c.championValue === undefined) {
    lines.push(['No champion yet: this is the first model of the pipeline.']);
  } else {
    const champion: Inline[] =
      c.championModelVersion === undefined ? ['Champion'] : ['Champion ', bold(`v${c.championModelVersion}`)];
    lines.push([
      ...champion,
      `: ${formatFigure(c.championValue)}; difference ${formatDelta(improvement)}, required improvement ${formatFigure(c.minImprovement)}`,
    ]);
    if (c.championValueSource !== undefined) lines.push([`Champion's value: ${c.championValueSource}`]);
  }
  return lines;
}

/** `feature` PSI 0.31 · KS 0.12. */
export function driftedFeatureItem(f: DriftedFeature): Line {
  return [
    code(f.feature),
    ` PSI ${formatFigure(f.psi)}`,
    ...(f.ks === undefined ? [] : [` · KS ${formatFigure(f.ks)}`]),
  ];
}
