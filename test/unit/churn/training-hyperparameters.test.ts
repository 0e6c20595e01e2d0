import { describe, expect, it } from 'vitest';

import {
  DEFAULT_SETTINGS,
  HyperparametersFileSchema,
  readSettings,
} from '../../../pipelines/churn/local/training-hyperparameters';
import { churnPipeline } from './churn-harness';

describe('readSettings', () => {
  it("maps the pipeline's XGBoost hyperparameters and lists those without meaning here", () => {
    const settings = readSettings(churnPipeline().training.hyperparameters);

    expect(settings).toEqual({ ...DEFAULT_SETTINGS, epochs: 200, learningRate: 0.2, ignored: ['max_depth=5'] });
  });

  it('reads the aliases, the split, the threshold and the test switches; skips the SDK keys', () => {
    expect(
      readSettings({
        epochs: '50',
        learning_rate: '0.05',
        reg_lambda: '3',
        validation_split: '0.3',
        threshold: '0.4',
        fail_with: 'ClientError: forced',
        corrupt_model: 'true',
        sagemaker_program: 'train.py',
      }),
    ).toEqual({
      epochs: 50,
      learningRate: 0.05,
      l2: 3,
      validationShare: 0.3,
      threshold: 0.4,
      failWith: 'ClientError: forced',
      corruptModel: 'nan-weights',
      ignored: [],
    });
    expect(readSettings({ corrupt_model: 'truncated' }).corruptModel).toBe('truncated');
    expect(readSettings({ corrupt_model: 'false' }).corruptModel).toBeUndefined();
  });

  it.each([
    [{ num_round: '0' }, /ClientError: hyperparameter num_round: expected a whole number 1 to 100000, got "0"/],
    [{ num_round: 'ten' }, /num_round: expected a whole number/],
    [{ eta: '-1' }, /eta: expected a number above 0/],
    [{ lambda: '' }, /lambda: expected a number >= 0, got ""/],
    [{ validation_split: '1' }, /validation_split: expected a share between 0 and 1/],
    [{ objective: 'reg:squarederror' }, /objective: this trainer fits binary:logistic only/],
    [{ corrupt_model: 'yes please' }, /corrupt_model: expected true, nan-weights, truncated or false/],
  ])('refuses %j', (hyperparameters, reason) => {
    expect(() => readSettings(hyperparameters)).toThrow(reason);
  });

  it('reads hyperparameters.json values as strings, tolerating numbers written by hand', () => {
    expect(HyperparametersFileSchema.parse({ num_round: 200, eta: '0.2', flag: true })).toEqual({
      num_round: '200',
      eta: '0.2',
      flag: 'true',
    });
  });
});
