/**
 * Authentication: the admin bearer token (system:masters), ServiceAccount tokens, anonymous requests.
 * Also TokenReview's answer, which reports failures the way the real authenticator chain does.
 */
import { randomBytes } from 'node:crypto';
import type { ApiContext } from './context.js';
import { metaOf, objAt, strAt, uidOf } from './json.js';
import { API_AUDIENCE, TokenSigner, type TokenClaims } from './tokens.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export type AuthResult = { ok: true; user: UserInfo; audiences: string[] } | { ok: false; error: string };

export class Authenticator {
  readonly adminToken = randomBytes(24).toString('base64url');
  readonly signer = new TokenSigner();

  constructor(private readonly ctx: ApiContext) {}

  /** Who sent `authorization`; `undefined` header = anonymous; a bad token = failure (401). */
  authenticateHeader(authorization: string | undefined): AuthResult {
    if (!authorization) return { ok: true, user: ANONYMOUS, audiences: [API_AUDIENCE] };
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m?.[1]) return { ok: false, error: 'invalid bearer token' };
    return this.review(m[1], [API_AUDIENCE]);
  }

  /** The TokenReview verdict for `token` against `audiences`. */
  review(token: string, audiences: string[]): AuthResult {
    if (token === this.adminToken) return { ok: true, user: ADMIN_USER, audiences };
    const claims = this.signer.read(token);
    if (!claims) return { ok: false, error: 'invalid bearer token' };
    const problem = this.claimProblem(claims, audiences);
    if (problem) return { ok: false, error: `[invalid bearer token, ${problem}]` };
    const granted = claims.audiences.filter((a) => audiences.includes(a));
    return { ok: true, user: userOf(claims), audiences: granted };
  }

  private claimProblem(claims: TokenClaims, audiences: string[]): string | undefined {
    if (claims.expiresAt * 1000 < this.ctx.now().getTime()) return 'service account token has expired';
    if (!claims.audiences.some((a) => audiences.includes(a))) {
      return `token audiences ${JSON.stringify(claims.audiences)} is invalid for the target audiences ${JSON.stringify(audiences)}`;
    }
    const sa = this.ctx.store.get('/serviceaccounts', claims.namespace, claims.serviceAccount.name);
    if (!sa || uidOf(sa) !== claims.serviceAccount.uid) return 'service account token has been invalidated';
    if (claims.pod && !this.boundPodAlive(claims.namespace, claims.pod)) return 'service account token has been invalidated';
    return undefined;
  }

  private boundPodAlive(ns: string, ref: { name: string; uid: string }): boolean {
    const pod = this.ctx.store.get('/pods', ns, ref.name);
    if (!pod || uidOf(pod) !== ref.uid) return false;
    const deletion = strAt(metaOf(pod), 'deletionTimestamp');
    return deletion === undefined || Date.parse(deletion) >= this.ctx.now().getTime();
  }
}

function userOf(claims: TokenClaims): UserInfo {
  const ns = claims.namespace;
  const user: UserInfo = {
    username: `system:serviceaccount:${ns}:${claims.serviceAccount.name}`,
    uid: claims.serviceAccount.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
  };
  if (claims.pod) {
    user.extra = {
      'authentication.kubernetes.io/pod-name': [claims.pod.name],
      'authentication.kubernetes.io/pod-uid': [claims.pod.uid],
    };
  }
  return user;
}

/** The service account a pod runs as. */
export const podServiceAccount = (pod: Record<string, unknown>): string => strAt(objAt(pod, 'spec'), 'serviceAccountName') ?? 'default';
