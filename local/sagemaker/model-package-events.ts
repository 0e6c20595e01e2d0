/**
 * `SageMaker Model Package State Change` events for the local runtime. moto emits no SageMaker events (MOTO.md 3);
 * AWS puts one on the account's default bus when a versioned package is created and when its approval changes
 * (REFERENCE 2.5), which is what lets an approval made in Studio or the CLI deploy. After a successful
 * `CreateModelPackage` (of a versioned package) or an `UpdateModelPackage` that sets `ModelApprovalStatus`, the
 * gateway reads the package back from moto and puts the event, in the documented shape, before answering the call,
 * so the event is in the rules' queues when the SDK call returns.
 */
import * as z from 'zod';
import { replyJson, type AwsCall, type AwsReply } from '../emulator/aws-call';
import { GatewayCallError } from '../emulator/errors';
import type { Gateway } from '../emulator/gateway';
import { SAGEMAKER_EVENT_SOURCE } from './event-sink';

/** `detail-type` of the event (REFERENCE 2.1). */
export const MODEL_PACKAGE_STATE_CHANGE = 'SageMaker Model Package State Change';

const CreateRequest = z.looseObject({ ModelPackageGroupName: z.string().optional() });
const CreateReply = z.looseObject({ ModelPackageArn: z.string() });
const UpdateRequest = z.looseObject({ ModelPackageArn: z.string(), ModelApprovalStatus: z.string().optional() });
const PutEventsReply = z.looseObject({ FailedEntryCount: z.number().optional() });

/** `DescribeModelPackage` as moto answers it; times are epoch seconds on the wire. */
const Description = z.looseObject({
  ModelPackageGroupName: z.string(),
  ModelPackageVersion: z.number(),
  ModelPackageArn: z.string(),
  ModelPackageDescription: z.string().optional(),
  CreationTime: z.number().optional(),
  LastModifiedTime: z.number().optional(),
  InferenceSpecification: z.unknown().optional(),
  ModelPackageStatus: z.string(),
  ModelPackageStatusDetails: z.unknown().optional(),
  CertifyForMarketplace: z.boolean().optional(),
  ModelApprovalStatus: z.string().optional(),
  ApprovalDescription: z.string().optional(),
  MetadataProperties: z.unknown().optional(),
  ModelMetrics: z.unknown().optional(),
});

/** ISO-8601 at second precision, as in the documented sample (`2021-02-24T17:00:14Z`). */
function isoSeconds(epochSeconds: number): string {
  return new Date(Math.floor(epochSeconds) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The event's `detail` from a package description: the fields of the documented sample, in its order. Whether
 * AWS includes `CustomerMetadataProperties` is not documented (REFERENCE 2.5), so it is left out: consumers read the
 * package with `DescribeModelPackage`.
 */
export function modelPackageEventDetail(description: unknown, nowMs: number): Record<string, unknown> {
  const d = Description.parse(description);
  const created = d.CreationTime ?? nowMs / 1000;
  const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
  return {
    ModelPackageGroupName: d.ModelPackageGroupName,
    ModelPackageVersion: d.ModelPackageVersion,
    ModelPackageArn: d.ModelPackageArn,
    ...optional('ModelPackageDescription', d.ModelPackageDescription),
    CreationTime: isoSeconds(created),
    ...optional('InferenceSpecification', d.InferenceSpecification),
    ModelPackageStatus: d.ModelPackageStatus,
    ModelPackageStatusDetails: d.ModelPackageStatusDetails ?? { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: d.CertifyForMarketplace ?? false,
    ModelApprovalStatus: d.ModelApprovalStatus ?? 'PendingManualApproval',
    ...optional('ApprovalDescription', d.ApprovalDescription),
    ...optional('MetadataProperties', d.MetadataProperties),
    ...optional('ModelMetrics', d.ModelMetrics),
    // moto keeps no modification time; the change happens now.
    LastModifiedTime: isoSeconds(d.LastModifiedTime ?? nowMs / 1000),
  };
}

/**
 * Installs the two interceptors on `gateway`; returns a function that removes them. A failure to emit is reported
 * through `gateway.reportError`, never turned into a failure of the API call (which succeeded; AWS emits
 * asynchronously too).
 */
export function emitModelPackageEvents(gateway: Gateway, now: () => number = Date.now): () => void {
  const emitFor = async (call: AwsCall, modelPackageArn: string): Promise<void> => {
    try {
      const describe = await gateway.send({
        service: 'sagemaker',
        region: call.region,
        accountId: call.accountId,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.DescribeModelPackage' },
        body: JSON.stringify({ ModelPackageName: modelPackageArn }),
      });
      if (describe.status !== 200) {
        throw new GatewayCallError(
          `DescribeModelPackage ${modelPackageArn} failed with HTTP ${describe.status}`,
          describe.status,
          describe.body.toString('utf8'),
        );
      }
      const entry = {
        Source: SAGEMAKER_EVENT_SOURCE,
        DetailType: MODEL_PACKAGE_STATE_CHANGE,
        Resources: [modelPackageArn],
        Detail: JSON.stringify(modelPackageEventDetail(replyJson(describe), now())),
        EventBusName: 'default',
      };
      const put = await gateway.send({
        service: 'events',
        region: call.region,
        accountId: call.accountId,
        method: 'POST',
        path: '/',
        headers: { 'x-amz-target': 'AWSEvents.PutEvents', 'content-type': 'application/x-amz-json-1.1' },
        body: JSON.stringify({ Entries: [entry] }),
      });
      const result = PutEventsReply.safeParse(replyJson(put));
      if (put.status !== 200 || !result.success || (result.data.FailedEntryCount ?? 0) > 0) {
        throw new GatewayCallError(
          `PutEvents of "${MODEL_PACKAGE_STATE_CHANGE}" for ${modelPackageArn} failed (HTTP ${put.status})`,
          put.status,
          put.body.toString('utf8'),
        );
      }
    } catch (error) {
      gateway.reportError(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const unbind = [
    gateway.intercept('sagemaker', 'CreateModelPackage', async (call, forward): Promise<AwsReply> => {
      const reply = await forward();
      const request = CreateRequest.safeParse(call.json());
      const created = CreateReply.safeParse(replyJson(reply));
      // Unversioned packages (no group) cannot be approved for deployment; AWS sends no approval event for them.
      if (reply.status === 200 && created.success && request.success && request.data.ModelPackageGroupName) {
        await emitFor(call, created.data.ModelPackageArn);
      }
      return reply;
    }),
    gateway.intercept('sagemaker', 'UpdateModelPackage', async (call, forward): Promise<AwsReply> => {
      const reply = await forward();
      const request = UpdateRequest.safeParse(call.json());
      if (reply.status === 200 && request.success && request.data.ModelApprovalStatus !== undefined) {
        await emitFor(call, request.data.ModelPackageArn);
      }
      return reply;
    }),
  ];
  return () => unbind.forEach((remove) => remove());
}
