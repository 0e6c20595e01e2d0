/**
 * Regional image URIs of the SageMaker built-in algorithms `pipeline.yaml` may name instead of an ECR URI.
 * Accounts from the SageMaker Python SDK's `image_uri_config` (REFERENCE 3.7 for xgboost; `linear-learner` uses
 * the first-party algorithm accounts of `amazon_estimator.registry`, `sklearn` the same accounts as xgboost).
 * Resolved at run time from the function's region, so one synthesized template deploys to any listed Region.
 */
import type { BuiltInAlgorithm } from '../config/pipeline-config';

const FRAMEWORK_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '683313688378',
  'us-east-2': '257758044811',
  'us-west-1': '746614075791',
  'us-west-2': '246618743249',
  'ca-central-1': '341280168497',
  'eu-west-1': '141502667606',
  'eu-west-2': '764974769150',
  'eu-central-1': '492215442770',
  'ap-northeast-1': '354813040037',
  'ap-southeast-2': '783357654285',
};

const ALGORITHM_ACCOUNTS: Readonly<Record<string, string>> = {
  'us-east-1': '382416733822',
  'us-east-2': '404615174143',
  'us-west-1': '632365934929',
  'us-west-2': '174872318107',
  'ca-central-1': '469771592824',
  'eu-west-1': '438346466558',
  'eu-west-2': '644912444149',
  'eu-central-1': '664544806723',
  'ap-northeast-1': '351501993468',
  'ap-southeast-2': '712309505854',
};

const IMAGES: Readonly<
  Record<BuiltInAlgorithm, { accounts: Readonly<Record<string, string>>; tag: (v: string) => string; repo: string }>
> = {
  xgboost: { accounts: FRAMEWORK_ACCOUNTS, repo: 'sagemaker-xgboost', tag: (v) => v },
  sklearn: { accounts: FRAMEWORK_ACCOUNTS, repo: 'sagemaker-scikit-learn', tag: (v) => `${v}-cpu-py3` },
  'linear-learner': { accounts: ALGORITHM_ACCOUNTS, repo: 'linear-learner', tag: (v) => v },
};

/** Regions whose built-in images this project knows. */
export const BUILT_IN_IMAGE_REGIONS = Object.keys(FRAMEWORK_ACCOUNTS);

/** A built-in algorithm has no known image in this Region. */
export class UnknownImageRegionError extends Error {
  public constructor(algorithm: string, region: string) {
    super(
      `no built-in ${algorithm} image is known for Region ${region} (known: ${BUILT_IN_IMAGE_REGIONS.join(', ')}); ` +
        'set training.image to the ECR image URI',
    );
    this.name = 'UnknownImageRegionError';
  }
}

/** `<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag>` of a built-in algorithm. */
export function builtInImageUri(algorithm: BuiltInAlgorithm, version: string, region: string): string {
  const image = IMAGES[algorithm];
  const account = image.accounts[region];
  if (account === undefined) throw new UnknownImageRegionError(algorithm, region);
  return `${account}.dkr.ecr.${region}.amazonaws.com/${image.repo}:${image.tag(version)}`;
}
