/**
 * AWS console links for the resources an event names, in the event's region. Pure string building: the console's
 * URL formats are not an API and can change; a wrong link is a dead link, never a failed notification.
 *
 * Formats (as used widely in AWS samples and tools): S3 objects `/s3/object/<bucket>?region=…&prefix=<key>`,
 * SageMaker `#/jobs/<name>`, `#/endpoints/<name>`, `#/endpointConfig/<name>`, `#/model-registry/<group>`,
 * CloudWatch Logs `#logsV2:log-groups/log-group/<name>` with the console's `$25` escaping, and dashboards
 * `#dashboards/dashboard/<name>`.
 */

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** True for a region name such as `eu-west-1`, `us-gov-west-1` or `cn-north-1`. */
export function isRegion(value: string): boolean {
  return REGION.test(value);
}

/** The console's origin for a region: China and GovCloud have their own domains. */
export function consoleOrigin(region: string): string {
  if (region.startsWith('cn-')) return `https://${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return 'https://console.amazonaws-us-gov.com';
  return `https://${region}.console.aws.amazon.com`;
}

/** The CloudWatch console escapes path parts in its fragment twice, with `$` for `%` (`/` becomes `$252F`). */
function cloudWatchEscape(value: string): string {
  return encodeURIComponent(value).replace(/%/g, '$25');
}

/** Console pages of one region. */
export interface ConsoleLinks {
  readonly region: string;
  /** The object's page in the S3 console (properties, download). */
  s3Object(bucket: string, key: string): string;
  trainingJob(name: string): string;
  /** The training job's log streams (`/aws/sagemaker/TrainingJobs`, streams named `<job>/algo-…`). */
  trainingJobLogs(name: string): string;
  modelPackageGroup(name: string): string;
  endpoint(name: string): string;
  endpointConfig(name: string): string;
  /** The endpoint's container logs (`/aws/sagemaker/Endpoints/<endpoint>`). */
  endpointLogs(name: string): string;
  dashboard(name: string): string;
}

/** Console links for `region`. */
export function consoleLinks(region: string): ConsoleLinks {
  const origin = consoleOrigin(region);
  const sageMaker = (fragment: string) => `${origin}/sagemaker/home?region=${region}#/${fragment}`;
  const logGroup = (name: string, streamPrefix?: string) =>
    `${origin}/cloudwatch/home?region=${region}#logsV2:log-groups/log-group/${cloudWatchEscape(name)}` +
    (streamPrefix === undefined ? '' : `$3FlogStreamNameFilter$3D${cloudWatchEscape(streamPrefix)}`);
  return {
    region,
    s3Object: (bucket, key) =>
      `${origin}/s3/object/${encodeURIComponent(bucket)}?region=${region}&bucketType=general&prefix=${encodeURIComponent(key)}`,
    trainingJob: (name) => sageMaker(`jobs/${encodeURIComponent(name)}`),
    trainingJobLogs: (name) => logGroup('/aws/sagemaker/TrainingJobs', `${name}/`),
    modelPackageGroup: (name) => sageMaker(`model-registry/${encodeURIComponent(name)}`),
    endpoint: (name) => sageMaker(`endpoints/${encodeURIComponent(name)}`),
    endpointConfig: (name) => sageMaker(`endpointConfig/${encodeURIComponent(name)}`),
    endpointLogs: (name) => logGroup(`/aws/sagemaker/Endpoints/${name}`),
    dashboard: (name) => `${origin}/cloudwatch/home?region=${region}#dashboards/dashboard/${encodeURIComponent(name)}`,
  };
}
