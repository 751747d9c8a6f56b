/**
 * The HTTP status of a failed Kubernetes API call, when the API answered: client-node's ApiException
 * carries it as a numeric `code` (a network failure has a string code such as ECONNREFUSED, or none).
 */
export function httpStatusOf(e: unknown): number | undefined {
  return typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'number' ? e.code : undefined;
}
