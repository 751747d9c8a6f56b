/** What every simulated controller is given: API clients, a seeded random source, a logger. */
import type { Logger } from '../../../shared/logger.js';
import type { KubeClients } from '../kube.js';
import type { Random } from '../rand.js';

export interface ControllerDeps {
  clients: KubeClients;
  random: Random;
  log: Logger;
}

/** `namespace/name` of an object, the key of every work queue. */
export const objectKey = (meta: { namespace?: string; name?: string } | undefined): string => `${meta?.namespace ?? ''}/${meta?.name ?? ''}`;

export function splitKey(key: string): { namespace: string; name: string } {
  const [namespace = '', name = ''] = key.split('/');
  return { namespace, name };
}
