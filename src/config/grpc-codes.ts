/** gRPC's status codes by name, at their numbers (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GRPC_STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
] as const;

/** The number of a gRPC status name (`UNAVAILABLE` → 14); undefined for another word. */
export function grpcStatusCode(name: string): number | undefined {
  const i = (GRPC_STATUS_NAMES as readonly string[]).indexOf(name);
  return i < 0 ? undefined : i;
}
