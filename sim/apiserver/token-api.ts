/**
 * `serviceaccounts/NAME/token` (TokenRequest, optionally bound to a pod of that ServiceAccount) and
 * `tokenreviews` (always 201; failures in `status.error` with an empty user).
 */
import { z } from 'zod';
import { podServiceAccount, type Authenticator } from './auth.js';
import { timestamp, type ApiContext } from './context.js';
import type { Reply, RequestBody, SubresourceHandler } from './handlers.js';
import { nameOf, uidOf, type Obj } from './json.js';
import type { ResourceRequest } from './request-info.js';
import type { ResourceDef } from './resources.js';
import { badRequest, notFound } from './status.js';
import { API_AUDIENCE } from './tokens.js';

const tokenRequestSchema = z.object({
  spec: z
    .object({
      audiences: z.array(z.string()).nullish(),
      expirationSeconds: z.number().int().min(600).max(2 ** 32).nullish(),
      boundObjectRef: z.object({ kind: z.string(), apiVersion: z.string().optional(), name: z.string(), uid: z.string().optional() }).nullish(),
    })
    .default({}),
});

const tokenReviewSchema = z.object({ spec: z.object({ token: z.string(), audiences: z.array(z.string()).nullish() }) });

function parse<T>(schema: z.ZodType<T>, body: unknown, what: string): T {
  const r = schema.safeParse(body ?? {});
  if (!r.success) throw badRequest(`${what} is invalid: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

export interface IssueOptions {
  namespace: string;
  serviceAccount: string;
  audiences?: string[];
  boundPod?: { name: string; uid: string };
  expirationSeconds?: number;
}

/** Sign a token for an existing ServiceAccount. */
export function issueToken(ctx: ApiContext, auth: Authenticator, o: IssueOptions): string {
  const sa = ctx.store.get('/serviceaccounts', o.namespace, o.serviceAccount);
  if (!sa) throw notFound({ group: '', plural: 'serviceaccounts' }, o.serviceAccount);
  const now = Math.floor(ctx.now().getTime() / 1000);
  return auth.signer.issue({
    namespace: o.namespace,
    serviceAccount: { name: o.serviceAccount, uid: uidOf(sa) },
    ...(o.boundPod ? { pod: o.boundPod } : {}),
    audiences: o.audiences && o.audiences.length > 0 ? o.audiences : [API_AUDIENCE],
    issuedAt: now,
    expiresAt: now + (o.expirationSeconds ?? 3600),
  });
}

function boundPod(ctx: ApiContext, ns: string, saName: string, ref: { kind: string; name: string; uid?: string }): { name: string; uid: string } {
  if (ref.kind !== 'Pod') throw badRequest(`cannot bind token to object of type ${ref.kind}`);
  const pod = ctx.store.get('/pods', ns, ref.name);
  if (!pod) throw notFound({ group: '', plural: 'pods' }, ref.name);
  if (ref.uid && ref.uid !== uidOf(pod)) throw badRequest(`the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
  if (podServiceAccount(pod) !== saName) {
    throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
  }
  return { name: nameOf(pod), uid: uidOf(pod) };
}

export function tokenRequestHandler(auth: Authenticator): SubresourceHandler {
  return (ctx: ApiContext, _def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply => {
    const ns = req.namespace ?? '';
    const saName = req.name ?? '';
    const parsed = parse(tokenRequestSchema, body.json, 'TokenRequest');
    if (!ctx.store.get('/serviceaccounts', ns, saName)) throw notFound({ group: '', plural: 'serviceaccounts' }, saName);
    const ref = parsed.spec.boundObjectRef;
    const pod = ref ? boundPod(ctx, ns, saName, ref) : undefined;
    const expirationSeconds = parsed.spec.expirationSeconds ?? 3600;
    const audiences = parsed.spec.audiences ?? [];
    const token = issueToken(ctx, auth, { namespace: ns, serviceAccount: saName, audiences, expirationSeconds, ...(pod ? { boundPod: pod } : {}) });
    const spec: Obj = { audiences: audiences.length > 0 ? audiences : [API_AUDIENCE], expirationSeconds };
    if (ref) spec['boundObjectRef'] = ref;
    const expires = new Date(ctx.now().getTime() + expirationSeconds * 1000);
    return {
      status: 201,
      body: {
        kind: 'TokenRequest',
        apiVersion: 'authentication.k8s.io/v1',
        metadata: { name: saName, namespace: ns, creationTimestamp: timestamp(ctx.now()) },
        spec,
        status: { token, expirationTimestamp: timestamp(expires) },
      },
    };
  };
}

export function tokenReviewHandler(auth: Authenticator): SubresourceHandler {
  return (_ctx: ApiContext, _def: ResourceDef, req: ResourceRequest, body: RequestBody): Reply => {
    if (req.verb !== 'create') throw badRequest('tokenreviews only support create');
    const parsed = parse(tokenReviewSchema, body.json, 'TokenReview');
    const audiences = parsed.spec.audiences ?? [API_AUDIENCE];
    const verdict = auth.review(parsed.spec.token, audiences);
    const status: Obj = verdict.ok ? { authenticated: true, user: verdict.user, audiences: verdict.audiences } : { user: {}, error: verdict.error };
    return {
      status: 201,
      body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', metadata: { creationTimestamp: null }, spec: parsed.spec, status },
    };
  };
}
