import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunRecord } from '../../../functions/metadata/training-store';
import { churnVariant, startTrainingHarness, type TrainingHarness } from './training-harness';

/** Seconds of the debounce window (`training.debounceSeconds`). */
const WINDOW = 4;
/** The window of the pipeline whose job outlasts it. */
const SHORT_WINDOW = 2;
/** The delayed message ends the window at least this long after the trigger that opened it. */
const atLeastWindowMs = (seconds: number) => seconds * 1000 - 100;

let harness: TrainingHarness;

beforeAll(async () => {
  harness = await startTrainingHarness('TrainingDebounceTest', [
    churnVariant('tdb', { report_auc: '0.9', report_logloss: '0.3' }, { debounceSeconds: WINDOW }),
    churnVariant(
      'tdl',
      { report_auc: '0.9', report_logloss: '0.3', sleep_ms: '8000' },
      { debounceSeconds: SHORT_WINDOW },
    ),
  ]);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Object keys listed by a run's train and validation manifests together. */
async function manifestKeys(run: RunRecord): Promise<string[]> {
  const keys: string[] = [];
  for (const key of [run.manifestKey, run.validationManifestKey]) {
    if (key === undefined) continue;
    const [head, ...relative] = (await harness.artifactJson(key)) as [{ prefix: string }, ...string[]];
    const prefix = head.prefix.replace(/^s3:\/\/[^/]+\//, '');
    keys.push(...relative.map((r) => `${prefix}${r}`));
  }
  return keys.sort();
}

const seededKeys = (pipeline: string, indexes: readonly number[]) =>
  indexes.map((i) => `seed/${pipeline}/batch-${i}.csv`).sort();

describe('the debounce window (training.debounceSeconds)', () => {
  it('groups datasets accepted within the window into one run, and starts the next run after a later window', async () => {
    const { runtime, jobsOf, stores } = harness;
    const { training } = stores();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push(await harness.seedDataset('tdb', i));

    // A burst spread over the window: the first dataset opens it, the others arrive while it is open.
    const opened = Date.now();
    await harness.announce('tdb', [ids[0]!]);
    await runtime.settle();
    const open = await training.state('tdb');
    expect(open.retrainPending).toBe(true);
    expect(open.debounceUntil).toBeGreaterThanOrEqual(Math.floor(opened / 1000) + WINDOW);
    await sleep(500);
    await harness.announce('tdb', [ids[1]!]);
    await runtime.settle();
    await sleep(300);
    await harness.announce('tdb', [ids[2]!]);
    await runtime.settle();
    // The test's own timing: every dataset was delivered while the window was open.
    expect(Date.now()).toBeLessThan(open.debounceUntil! * 1000);
    expect(await jobsOf('tdb')).toHaveLength(0);
    expect((await training.state('tdb')).debounceUntil).toBe(open.debounceUntil);

    await harness.settleUntil(() => Promise.resolve(harness.eventsOf('tdb', 'Model Registered').length === 1));
    expect(await jobsOf('tdb')).toHaveLength(1);
    const [first] = await training.runs('tdb', 10);
    expect(first).toMatchObject({ status: 'registered', trigger: 'debounce' });
    expect(Date.parse(first!.startedAt) - opened).toBeGreaterThanOrEqual(atLeastWindowMs(WINDOW));
    expect([...first!.datasetIds!].sort()).toEqual([...ids].sort());
    expect(await manifestKeys(first!)).toEqual(seededKeys('tdb', [0, 1, 2]));
    const closed = await training.state('tdb');
    expect(closed.debounceUntil).toBeUndefined();
    expect(closed.retrainPending).toBe(false);

    // A dataset accepted after the window (and after the run) opens a window of its own, then the next run.
    const late = await harness.seedDataset('tdb', 3);
    const reopened = Date.now();
    await harness.announce('tdb', [late]);
    await runtime.settle();
    expect(await jobsOf('tdb')).toHaveLength(1);
    expect((await training.state('tdb')).debounceUntil).toBeGreaterThanOrEqual(Math.floor(reopened / 1000) + WINDOW);

    await harness.settleUntil(() => Promise.resolve(harness.eventsOf('tdb', 'Model Registered').length === 2));
    expect(await jobsOf('tdb')).toHaveLength(2);
    expect(harness.eventsOf('tdb', 'Training Started')).toHaveLength(2);
    const [second, again] = await training.runs('tdb', 10);
    expect(again!.runId).toBe(first!.runId);
    expect(second).toMatchObject({ status: 'registered', trigger: 'debounce' });
    expect(Date.parse(second!.startedAt) - reopened).toBeGreaterThanOrEqual(atLeastWindowMs(WINDOW));
    // The training window is the last 50 accepted datasets: the next run reads the earlier ones too.
    expect(await manifestKeys(second!)).toEqual(seededKeys('tdb', [0, 1, 2, 3]));
  }, 120_000);

  it('makes a window that ends while a run is in flight the run’s one follow-up', async () => {
    const { runtime, jobsOf, stores } = harness;
    const { training } = stores();
    await harness.announce('tdl', [await harness.seedDataset('tdl', 0)]);
    await harness.settleUntil(async () => (await jobsOf('tdl')).length === 1);
    const [running] = await training.runs('tdl', 10);
    expect(running).toMatchObject({ trigger: 'debounce' });

    // The job sleeps 8 s; this window of 2 s ends while it runs.
    const opened = Date.now();
    await harness.announce('tdl', [await harness.seedDataset('tdl', 1)]);
    await runtime.settle();
    while (Date.now() - opened < SHORT_WINDOW * 1000 + 1500) {
      await runtime.settle();
      await sleep(150);
    }
    const waiting = await training.state('tdl');
    expect(waiting).toMatchObject({ trainingRunId: running!.runId, retrainPending: true });
    expect(waiting.debounceUntil).toBeUndefined();
    expect(await jobsOf('tdl')).toHaveLength(1);

    await harness.settleUntil(
      async () => (await jobsOf('tdl')).length === 2 && (await harness.allJobsEnded('tdl')()),
      90_000,
    );
    expect(await jobsOf('tdl')).toHaveLength(2);
    const [followUp, first] = await training.runs('tdl', 10);
    expect(first!.runId).toBe(running!.runId);
    expect(first!.status).toBe('registered');
    expect(followUp).toMatchObject({ trigger: 'follow-up' });
    expect(await manifestKeys(followUp!)).toEqual(seededKeys('tdl', [0, 1]));
    expect((await training.state('tdl')).retrainPending).toBe(false);
  }, 120_000);
});
