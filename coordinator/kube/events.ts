/** Kubernetes Events about Nodes (core v1, namespace `default`, where Node events live). */
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { EVENT_COMPONENT } from '../../shared/names.js';
import { kubeCall } from './api-errors.js';
import { apiClient } from './api-client.js';

export interface NodeEvent {
  node: string;
  nodeUid: string | undefined;
  reason: string;
  message: string;
  warning: boolean;
}

export interface EventsApi {
  emit(e: NodeEvent): Promise<void>;
}

export function eventsApi(kc: KubeConfig, host: string | undefined, now: () => Date): EventsApi {
  const core = apiClient(kc, CoreV1Api);
  let seq = 0;
  return {
    emit: async (e) => {
      const t = now();
      await kubeCall(`event for node ${e.node}`, () =>
        core.createNamespacedEvent({
          namespace: 'default',
          body: {
            metadata: { name: `${e.node}.${t.getTime().toString(16)}${(seq++).toString(16)}`, namespace: 'default' },
            involvedObject: { apiVersion: 'v1', kind: 'Node', name: e.node, ...(e.nodeUid ? { uid: e.nodeUid } : {}) },
            reason: e.reason,
            message: e.message.slice(0, 1024),
            type: e.warning ? 'Warning' : 'Normal',
            source: { component: EVENT_COMPONENT, ...(host ? { host } : {}) },
            firstTimestamp: t,
            lastTimestamp: t,
            count: 1,
          },
        }),
      );
    },
  };
}
