/**
 * Call options that cut a successful answer down to the fields the coordinator reads of it before client-node
 * decodes it into typed objects. That decoding walks the whole object (every label, condition, image and address
 * of a Node) and was the coordinator's largest single cost at a thousand nodes; the answer of each Node patch is
 * only ever kept as its projection (core/observed-objects.ts). The request and the server's answer are the same;
 * a failure is decoded as before.
 */
import { Observable, ResponseContext, type ConfigurationOptions, type ObservableMiddleware } from '@kubernetes/client-node';

type CallOptions = ConfigurationOptions<ObservableMiddleware>;

async function cut<T>(res: ResponseContext, project: (raw: T) => unknown): Promise<ResponseContext> {
  if (res.httpStatusCode < 200 || res.httpStatusCode > 299) return res;
  const text = JSON.stringify(project(JSON.parse(await res.body.text()) as T));
  return new ResponseContext(res.httpStatusCode, res.headers, { text: () => Promise.resolve(text), binary: () => Promise.resolve(Buffer.from(text)) });
}

/** `options` (e.g. a merge patch's), with the answer projected by `project` (given the raw JSON) before decoding. */
export function projectedAnswer<T>(project: (raw: T) => unknown, options?: CallOptions): CallOptions {
  const projecting: ObservableMiddleware = {
    pre: (ctx) => new Observable(Promise.resolve(ctx)),
    post: (res) => new Observable(cut(res, project)),
  };
  return { ...options, middleware: [...(options?.middleware ?? []), projecting], middlewareMergeStrategy: 'append' };
}
