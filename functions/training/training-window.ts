/**
 * Which accepted datasets a training run reads (`training.window`) and which of them go to the validation channel
 * (`training.validation.split`). Pure: the store lists accepted datasets newest first, this picks.
 */
import type { TrainingWindow, ValidationSource } from '../config/pipeline-config';

/** An accepted dataset version, as much as a training run needs of it. */
export interface WindowDataset {
  readonly datasetId: string;
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly receivedAt: string;
  readonly rows: number;
  readonly reportKey?: string;
}

/** How far back the store must read for this window: a number of datasets, a time, or everything. */
export function windowQueryLimit(window: TrainingWindow, now: Date): { limit?: number; since?: string } {
  if ('lastDatasets' in window) return { limit: window.lastDatasets };
  if ('lastDays' in window) return { since: new Date(now.getTime() - window.lastDays * 86_400_000).toISOString() };
  return {};
}

/** The datasets of the window, newest first, from accepted datasets listed newest first. */
export function selectWindow(
  newestFirst: readonly WindowDataset[],
  window: TrainingWindow,
  now: Date,
): WindowDataset[] {
  const { limit, since } = windowQueryLimit(window, now);
  let selected = [...newestFirst];
  if (since !== undefined) selected = selected.filter((d) => d.receivedAt >= since);
  if (limit !== undefined) selected = selected.slice(0, limit);
  return selected;
}

/** The window split into channels, and why there is no validation channel when a split was asked for. */
export interface ChannelSplit {
  readonly train: readonly WindowDataset[];
  readonly validation: readonly WindowDataset[];
  readonly note?: string;
}

/**
 * A `split` holds out the newest `ceil(split x n)` datasets (a temporal hold-out: the model is judged on the data
 * it will meet next), keeping at least one for training. Manifests list whole objects, so the split is by dataset;
 * with a single dataset there is nothing to hold out and the container validates as it sees fit. A `prefix`
 * source, or none, leaves every dataset to training.
 */
export function splitChannels(
  newestFirst: readonly WindowDataset[],
  validation: ValidationSource | undefined,
): ChannelSplit {
  if (validation === undefined || !('split' in validation)) return { train: newestFirst, validation: [] };
  if (newestFirst.length < 2) {
    return {
      train: newestFirst,
      validation: [],
      note: 'one dataset in the window: no validation split (the training container holds out rows itself)',
    };
  }
  const held = Math.min(newestFirst.length - 1, Math.max(1, Math.ceil(validation.split * newestFirst.length)));
  return { validation: newestFirst.slice(0, held), train: newestFirst.slice(held) };
}
