/**
 * The message classes and service definitions that ship in @eventstore/db-client's generated code.
 * Responses must be built from these very classes (the serializer checks `instanceof`); in native ESM
 * only the default import of a `*_pb.js` module works, so the classes are taken from it.
 */
import { createRequire } from 'node:module';
import streamsPb from '@eventstore/db-client/generated/streams_pb.js';
import sharedPb from '@eventstore/db-client/generated/shared_pb.js';
import statusPb from '@eventstore/db-client/generated/status_pb.js';
import featuresPb from '@eventstore/db-client/generated/serverfeatures_pb.js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb.js';
import { ServerFeaturesService } from '@eventstore/db-client/generated/serverfeatures_grpc_pb.js';

// google-protobuf's well-known types, resolved from where the client itself resolves them.
const requireFromClient = createRequire(createRequire(import.meta.url).resolve('@eventstore/db-client/generated/streams_pb.js'));
const { Any } = requireFromClient('google-protobuf/google/protobuf/any_pb.js') as typeof import('google-protobuf/google/protobuf/any_pb.js');
const { Empty: GEmpty } = requireFromClient('google-protobuf/google/protobuf/empty_pb.js') as typeof import('google-protobuf/google/protobuf/empty_pb.js');

export const { ReadReq, ReadResp, AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } = streamsPb;
export const { Empty, UUID, StreamIdentifier, AllStreamPosition, WrongExpectedVersion } = sharedPb;
export const { Status } = statusPb;
export const { SupportedMethods, SupportedMethod } = featuresPb;
export { Any, GEmpty, StreamsService, ServerFeaturesService };

export type ReadReqT = InstanceType<typeof ReadReq>;
export type ReadRespT = InstanceType<typeof ReadResp>;
export type AppendReqT = InstanceType<typeof AppendReq>;
export type AppendRespT = InstanceType<typeof AppendResp>;
export type BatchAppendReqT = InstanceType<typeof BatchAppendReq>;
export type BatchAppendRespT = InstanceType<typeof BatchAppendResp>;
