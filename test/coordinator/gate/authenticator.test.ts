import { describe, expect, it } from '@jest/globals';
import { createTokenReviewAuthenticator, type AuthApi } from '../../../coordinator/gate/index.js';
import {
  principalFromReview,
  requirePodOnNode,
  type PodPlacement,
  type ReviewedToken,
} from '../../../coordinator/gate/principal.js';
import { ForbiddenError, UnauthorizedError } from '../../../shared/errors.js';
import { silentLogger } from '../../../shared/logger.js';
import { TOKEN_EXTRA_POD_NAME, TOKEN_EXTRA_POD_UID } from '../../../shared/names.js';

const rules = { namespace: 'cni-migrate', serviceAccount: 'cni-migrate-agent', audience: 'cni-migrate' };
const agentReview: ReviewedToken = {
  authenticated: true,
  username: 'system:serviceaccount:cni-migrate:cni-migrate-agent',
  audiences: ['cni-migrate'],
  extra: { [TOKEN_EXTRA_POD_NAME]: ['agent-a'], [TOKEN_EXTRA_POD_UID]: ['uid-a'] },
};

describe('principalFromReview', () => {
  it.each<[string, ReviewedToken, 'Unauthorized' | 'Forbidden']>([
    ['an unauthenticated token', { authenticated: false, error: 'invalid bearer token' }, 'Unauthorized'],
    ['a token for another audience', { ...agentReview, audiences: ['https://kubernetes.default.svc'] }, 'Unauthorized'],
    ['another ServiceAccount', { ...agentReview, username: 'system:serviceaccount:cni-migrate:default' }, 'Forbidden'],
    ['the right SA in another namespace', { ...agentReview, username: 'system:serviceaccount:x:cni-migrate-agent' }, 'Forbidden'],
    ['a token not bound to a pod', { ...agentReview, extra: {} }, 'Forbidden'],
  ])('when the review shows %s, then it is rejected', (_what, review, code) => {
    expect(() => principalFromReview(review, rules)).toThrow(code === 'Unauthorized' ? UnauthorizedError : ForbiddenError);
  });

  it('when the review shows a pod-bound agent token, then the principal names the pod', () => {
    expect(principalFromReview(agentReview, rules)).toEqual({ namespace: 'cni-migrate', podName: 'agent-a', podUid: 'uid-a' });
  });
});

describe('requirePodOnNode', () => {
  const principal = { namespace: 'cni-migrate', podName: 'agent-a', podUid: 'uid-a' };
  it.each<[string, PodPlacement | undefined]>([
    ['the pod is gone', undefined],
    ['the pod was replaced', { uid: 'uid-b', nodeName: 'node-a' }],
    ['the pod runs elsewhere', { uid: 'uid-a', nodeName: 'node-b' }],
    ['the pod is not scheduled', { uid: 'uid-a', nodeName: undefined }],
  ])('when %s, then Forbidden', (_what, pod) => {
    expect(() => requirePodOnNode(principal, pod, 'node-a')).toThrow(ForbiddenError);
  });
  it('when the same pod runs on the node, then it passes', () => {
    expect(() => requirePodOnNode(principal, { uid: 'uid-a', nodeName: 'node-a' }, 'node-a')).not.toThrow();
  });
});

function countingApi(review: ReviewedToken, pod: PodPlacement | undefined): AuthApi & { reviews: number; podReads: number } {
  return {
    reviews: 0,
    podReads: 0,
    async reviewToken() {
      this.reviews += 1;
      return review;
    },
    async readPodPlacement() {
      this.podReads += 1;
      return pod;
    },
  };
}

describe('TokenReview authenticator', () => {
  it('when the same token comes twice within the TTL, then only one TokenReview and one pod GET happen', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger() });
    await auth.authenticate('t', 'node-a');
    await auth.authenticate('t', 'node-a');
    expect([api.reviews, api.podReads]).toEqual([1, 1]);
  });

  it('when the cached token speaks for another node, then Forbidden without a new review', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger() });
    await auth.authenticate('t', 'node-a');
    await expect(auth.authenticate('t', 'node-b')).rejects.toThrow(ForbiddenError);
    expect(api.reviews).toBe(1);
  });

  it('when the TTL passed, then the token is reviewed again', async () => {
    let now = 1000;
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 5, log: silentLogger(), now: () => now });
    await auth.authenticate('t', 'node-a');
    now += 5001;
    await auth.authenticate('t', 'node-a');
    expect(api.reviews).toBe(2);
  });

  it('when a review fails, then the failure is not cached', async () => {
    const api = countingApi({ authenticated: false }, undefined);
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger() });
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(UnauthorizedError);
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(UnauthorizedError);
    expect(api.reviews).toBe(2);
  });
});
