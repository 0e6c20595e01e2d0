/**
 * Key schema of the single metadata table, shared by the CDK construct that creates it and the stores that use
 * it. Access patterns and item layouts: docs/metadata.md.
 */
export const METADATA_TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB deletes the item some time after it (locks, dedup markers, idempotency records). */
  timeToLive: 'expiresAt',
  byIdIndex: { name: 'byId', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
} as const;

/** Entity kinds stored in the table; each has a sort-key prefix under its pipeline and an id key in `byId`. */
export type EntityKind = 'DATASET' | 'RUN' | 'MODEL' | 'DEPLOYMENT' | 'EVALUATION';

/** Partition of everything that belongs to one pipeline. */
export const pipelinePartition = (pipeline: string): string => `PIPELINE#${pipeline}`;

/** The pipeline's mutable state item (training slot, retrain-pending flag, champion, deployment slot). */
export const PIPELINE_STATE_SORT_KEY = 'STATE';

/** Key of a pipeline's state item. */
export const pipelineStateKey = (pipeline: string): { pk: string; sk: string } => ({
  pk: pipelinePartition(pipeline),
  sk: PIPELINE_STATE_SORT_KEY,
});

/**
 * Sort key of an entity under its pipeline. `orderKey` sorts the entity in time (an ISO-8601 UTC timestamp, or a
 * zero-padded version number for models) so "newest first" is a reverse query on the prefix.
 */
export const entitySortKey = (kind: EntityKind, orderKey: string, id: string): string => `${kind}#${orderKey}#${id}`;

/** Prefix for "all entities of a kind of one pipeline" queries (`begins_with(sk, prefix)`). */
export const entitySortKeyPrefix = (kind: EntityKind): string => `${kind}#`;

/** Partition key in the `byId` index: finds an entity by its id alone. */
export const entityIdKey = (kind: EntityKind, id: string): string => `${kind}#${id}`;

/** Zero-padded model version, so versions sort numerically as strings (SageMaker versions start at 1). */
export const modelVersionOrderKey = (version: number): string => String(version).padStart(10, '0');

/**
 * Marker of one S3 object version having been processed: S3 delivers at least once, and the emulator sends the
 * same event id every time, so the identity is bucket + key + version id (or etag), never the event id.
 */
export const objectMarkerKey = (objectIdentity: string): { pk: string; sk: string } => ({
  pk: `OBJECT#${objectIdentity}`,
  sk: 'OBJECT',
});
