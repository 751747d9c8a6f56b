/**
 * The Kubernetes edge of agent authentication: TokenReview and a pod GET through client-node.
 */
import { AuthenticationV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { CniMigrateError } from '../../shared/errors.js';
import type { AuthApi } from '../gate/authenticator.js';
import type { PodPlacement } from '../gate/principal.js';
import type { ReviewedToken } from '../gate/principal.js';
import { httpStatusOf } from '../../shared/http-status.js';

export function kubeAuthApi(kc: KubeConfig): AuthApi {
  const auth = kc.makeApiClient(AuthenticationV1Api);
  const core = kc.makeApiClient(CoreV1Api);
  return {
    async reviewToken(token, audience): Promise<ReviewedToken> {
      try {
        const review = await auth.createTokenReview({
          body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, audiences: [audience] } },
        });
        const status = review.status ?? {};
        return {
          authenticated: status.authenticated === true,
          username: status.user?.username,
          audiences: status.audiences,
          extra: status.user?.extra,
          error: status.error,
        };
      } catch (e) {
        throw new CniMigrateError('KubeApi', 'TokenReview failed', { cause: e });
      }
    },
    async readPodPlacement(namespace, name): Promise<PodPlacement | undefined> {
      try {
        const pod = await core.readNamespacedPod({ namespace, name });
        return { uid: pod.metadata?.uid ?? '', nodeName: pod.spec?.nodeName };
      } catch (e) {
        if (httpStatusOf(e) === 404) return undefined;
        throw new CniMigrateError('KubeApi', `GET pod ${namespace}/${name} failed`, { cause: e });
      }
    },
  };
}
