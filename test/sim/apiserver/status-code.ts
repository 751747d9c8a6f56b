/** The HTTP status a client-node call ended with: 200 when it resolved, the ApiException's code otherwise. */
import { ApiException } from '@kubernetes/client-node';

export async function statusOf(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof ApiException) return e.code;
    throw e;
  }
}
