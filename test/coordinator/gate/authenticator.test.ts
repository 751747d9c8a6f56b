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

  it.each<[string, PodPlacement | undefined, number]>([
    ['the watch showed the pod (same uid)', { uid: 'uid-a', nodeName: 'node-a' }, 0],
    ['the watch has not shown the pod yet', undefined, 1],
  ])('when %s, then its pod is read %i times', async (_what, watched, podReads) => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const asked: string[] = [];
    const placement = (name: string, uid: string): PodPlacement | undefined => (asked.push(`${name}/${uid}`), watched);
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger(), watched: { placement } });
    await auth.authenticate('t', 'node-a');
    expect([api.reviews, api.podReads, asked]).toEqual([1, podReads, ['agent-a/uid-a']]);
  });

  it('when the watch shows the token\'s pod on another node, then Forbidden', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const watched = { placement: (): PodPlacement => ({ uid: 'uid-a', nodeName: 'node-b' }) };
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger(), watched });
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(ForbiddenError);
    expect(api.podReads).toBe(0);
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

  describe('past the TTL, with the watch of the namespace\'s pods', () => {
    /** A JWT-shaped token expiring at `expMs` (only its payload is read; the fake review vouches for it). */
    const jwt = (expMs: number): string =>
      ['header', Buffer.from(JSON.stringify({ exp: Math.floor(expMs / 1000) })).toString('base64url'), 'signature'].join('.');
    const setup = (watched: PodPlacement | undefined) => {
      const clock = { now: 1_000_000 };
      const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
      const shown = { pod: watched };
      const auth = createTokenReviewAuthenticator({
        api, rules, cacheSeconds: 5, log: silentLogger(), now: () => clock.now, watched: { placement: () => shown.pod },
      });
      return { clock, api, shown, auth };
    };

    it('when the watch still shows the token\'s pod on its node, then the token is trusted again without a review, TTL after TTL', async () => {
      const { clock, api, auth } = setup({ uid: 'uid-a', nodeName: 'node-a' });
      const token = jwt(clock.now + 3_600_000);
      await auth.authenticate(token, 'node-a');
      for (let i = 0; i < 10; i += 1) {
        clock.now += 5001;
        await auth.authenticate(token, 'node-a');
      }
      expect(api.reviews).toBe(1);
    });

    it.each<[string, PodPlacement | undefined]>([
      ['the watch no longer shows the pod (deleted)', undefined],
      ['the watch shows the pod on another node', { uid: 'uid-a', nodeName: 'node-b' }],
    ])('when %s, then the token is reviewed again', async (_what, later) => {
      const { clock, api, shown, auth } = setup({ uid: 'uid-a', nodeName: 'node-a' });
      const token = jwt(clock.now + 3_600_000);
      await auth.authenticate(token, 'node-a');
      shown.pod = later;
      clock.now += 5001;
      await auth.authenticate(token, 'node-a').catch(() => undefined);
      expect(api.reviews).toBe(2);
    });

    it('when the token itself expired, then it is reviewed again though its pod runs (and the answer never outlives the token)', async () => {
      const { clock, api, auth } = setup({ uid: 'uid-a', nodeName: 'node-a' });
      const token = jwt(clock.now + 3000);
      await auth.authenticate(token, 'node-a');
      clock.now += 3001;
      await auth.authenticate(token, 'node-a');
      expect(api.reviews).toBe(2);
    });

    it('when the token carries no readable expiry, then it is reviewed again', async () => {
      const { clock, api, auth } = setup({ uid: 'uid-a', nodeName: 'node-a' });
      await auth.authenticate('opaque', 'node-a');
      clock.now += 5001;
      await auth.authenticate('opaque', 'node-a');
      expect(api.reviews).toBe(2);
    });
  });

  it('when the same pod brings a new token (or the old one after the TTL), then it is reviewed again but its pod is not read again', async () => {
    let now = 1000;
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 5, log: silentLogger(), now: () => now });
    await auth.authenticate('t', 'node-a');
    await auth.authenticate('t2', 'node-a');
    now += 5001;
    await auth.authenticate('t', 'node-a');
    await expect(auth.authenticate('t2', 'node-b')).rejects.toThrow(ForbiddenError);
    expect([api.reviews, api.podReads]).toEqual([4, 1]);
  });

  it('when the token is bound to a replaced pod (new uid), then that pod is read', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    const replaced = { ...agentReview, extra: { [TOKEN_EXTRA_POD_NAME]: ['agent-a'], [TOKEN_EXTRA_POD_UID]: ['uid-b'] } };
    const auth = createTokenReviewAuthenticator({
      api: { reviewToken: async (t) => (t === 't' ? agentReview : replaced), readPodPlacement: (ns, n) => api.readPodPlacement(ns, n) },
      rules,
      cacheSeconds: 30,
      log: silentLogger(),
    });
    await auth.authenticate('t', 'node-a');
    await expect(auth.authenticate('t2', 'node-a')).rejects.toThrow(ForbiddenError);
    expect(api.podReads).toBe(2);
  });

  it('when a rejected token comes again, then it is refused without a review until the rejection is forgotten', async () => {
    let now = 1000;
    const api = countingApi({ authenticated: false }, undefined);
    const auth = createTokenReviewAuthenticator({ api, rules, cacheSeconds: 30, log: silentLogger(), now: () => now, limits: { rejectedTtlMs: 10_000 } });
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(UnauthorizedError);
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(UnauthorizedError);
    expect(api.reviews).toBe(1);
    now += 10_001;
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow(UnauthorizedError);
    expect(api.reviews).toBe(2);
  });

  it('when the API fails, then nothing is remembered and the next request reviews again', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    let fail = true;
    const flaky: AuthApi = {
      reviewToken: (t, a) => (fail ? Promise.reject(new Error('HTTP 503')) : api.reviewToken(t, a)),
      readPodPlacement: (ns, n) => api.readPodPlacement(ns, n),
    };
    const auth = createTokenReviewAuthenticator({ api: flaky, rules, cacheSeconds: 30, log: silentLogger() });
    await expect(auth.authenticate('t', 'node-a')).rejects.toThrow('HTTP 503');
    fail = false;
    await expect(auth.authenticate('t', 'node-a')).resolves.toMatchObject({ podName: 'agent-a' });
  });

  it('when many requests bring the same unknown token at once, then one TokenReview and one pod GET answer them all', async () => {
    const api = countingApi(agentReview, { uid: 'uid-a', nodeName: 'node-a' });
    let release = (): void => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const slow: AuthApi = {
      reviewToken: async (t, a) => {
        await gate;
        return api.reviewToken(t, a);
      },
      readPodPlacement: (ns, n) => api.readPodPlacement(ns, n),
    };
    const auth = createTokenReviewAuthenticator({ api: slow, rules, cacheSeconds: 30, log: silentLogger() });
    const all = Promise.all(Array.from({ length: 50 }, () => auth.authenticate('t', 'node-a', '10.0.0.1')));
    release();
    expect(await all).toHaveLength(50);
    expect([api.reviews, api.podReads]).toEqual([1, 1]);
  });

  it('when one source sends more unknown tokens than its budget, then it gets TooManyRequests without a review; other sources still pass', async () => {
    let now = 1000;
    const api = countingApi({ authenticated: false }, undefined);
    const auth = createTokenReviewAuthenticator({
      api, rules, cacheSeconds: 30, log: silentLogger(), now: () => now, limits: { burst: 3, perSecond: 1 },
    });
    for (const t of ['g1', 'g2', 'g3']) await expect(auth.authenticate(t, 'node-a', '10.0.0.9')).rejects.toThrow(UnauthorizedError);
    await expect(auth.authenticate('g4', 'node-a', '10.0.0.9')).rejects.toMatchObject({ code: 'TooManyRequests', httpStatus: 429 });
    expect(api.reviews).toBe(3);
    await expect(auth.authenticate('g4', 'node-a', '10.0.0.7')).rejects.toThrow(UnauthorizedError);
    now += 1000;
    await expect(auth.authenticate('g5', 'node-a', '10.0.0.9')).rejects.toThrow(UnauthorizedError);
    expect(api.reviews).toBe(5);
  });
});
