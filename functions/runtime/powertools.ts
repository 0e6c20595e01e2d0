import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Logger, metrics and tracer, created once per container. The service name, namespace and log level come from
 * `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_LOG_LEVEL`, which the CDK's
 * `MlopsFunction` sets for every function.
 */
export const logger = new Logger();
export const metrics = new Metrics();
export const tracer = new Tracer();
