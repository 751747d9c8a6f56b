/**
 * Shared informers (list + watch caches) over the API, one per resource kind. A watch that fails is
 * restarted after a short, growing back-off; callers subscribe to changes and read the caches.
 */
import { ListWatch, Watch, type KubernetesListObject, type KubernetesObject, type V1DaemonSet, type V1Deployment, type V1Node, type V1Pod, type V1ReplicaSet } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { KubeClients } from './kube.js';

export interface Cache<T extends KubernetesObject> {
  list(namespace?: string): readonly T[];
  get(name: string, namespace?: string): T | undefined;
  onChange(cb: (obj: T) => void): void;
  onDelete(cb: (obj: T) => void): void;
}

interface InformerSource<T extends KubernetesObject> {
  kind: string;
  path: string;
  list: () => Promise<KubernetesListObject<T>>;
}

class RestartingInformer<T extends KubernetesObject> implements Cache<T> {
  private readonly lw: ListWatch<T>;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  private readonly kind: string;
  private readonly log: Logger;

  constructor(source: InformerSource<T>, clients: KubeClients, log: Logger) {
    this.kind = source.kind;
    this.log = log;
    this.lw = new ListWatch<T>(source.path, new Watch(clients.kc), source.list, false);
    this.lw.on('error', (err?: unknown) => this.restartLater(err));
    this.lw.on('connect', () => {
      this.failures = 0;
    });
  }

  async start(): Promise<void> {
    await this.lw.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.lw.stop();
  }

  list(namespace?: string): readonly T[] {
    return this.lw.list(namespace);
  }

  get(name: string, namespace?: string): T | undefined {
    return this.lw.get(name, namespace);
  }

  onChange(cb: (obj: T) => void): void {
    this.lw.on('add', cb);
    this.lw.on('update', cb);
  }

  onDelete(cb: (obj: T) => void): void {
    this.lw.on('delete', cb);
  }

  private restartLater(err: unknown): void {
    if (this.stopped) return;
    this.failures++;
    const delay = Math.min(5000, 50 * 2 ** Math.min(this.failures, 7));
    this.log.debug({ kind: this.kind, err: describeError(err), delay }, 'watch ended with an error; restarting');
    this.timer = setTimeout(() => {
      this.lw.start().catch((e: unknown) => this.restartLater(e));
    }, delay);
  }
}

/** Starts the informers a component needs, lazily, once each; concurrent callers share one start. */
export class InformerSet {
  private readonly running: { stop(): Promise<void> }[] = [];
  private nodeCache: Promise<Cache<V1Node>> | undefined;
  private podCache: Promise<Cache<V1Pod>> | undefined;
  private daemonSetCache: Promise<Cache<V1DaemonSet>> | undefined;
  private deploymentCache: Promise<Cache<V1Deployment>> | undefined;
  private replicaSetCache: Promise<Cache<V1ReplicaSet>> | undefined;

  constructor(
    private readonly clients: KubeClients,
    private readonly log: Logger,
  ) {}

  nodes(): Promise<Cache<V1Node>> {
    this.nodeCache ??= this.begin('nodes', '/api/v1/nodes', () => this.clients.core.listNode());
    return this.nodeCache;
  }

  pods(): Promise<Cache<V1Pod>> {
    this.podCache ??= this.begin('pods', '/api/v1/pods', () => this.clients.core.listPodForAllNamespaces());
    return this.podCache;
  }

  daemonSets(): Promise<Cache<V1DaemonSet>> {
    this.daemonSetCache ??= this.begin('daemonsets', '/apis/apps/v1/daemonsets', () => this.clients.apps.listDaemonSetForAllNamespaces());
    return this.daemonSetCache;
  }

  deployments(): Promise<Cache<V1Deployment>> {
    this.deploymentCache ??= this.begin('deployments', '/apis/apps/v1/deployments', () => this.clients.apps.listDeploymentForAllNamespaces());
    return this.deploymentCache;
  }

  replicaSets(): Promise<Cache<V1ReplicaSet>> {
    this.replicaSetCache ??= this.begin('replicasets', '/apis/apps/v1/replicasets', () => this.clients.apps.listReplicaSetForAllNamespaces());
    return this.replicaSetCache;
  }

  async stop(): Promise<void> {
    await Promise.all(this.running.map((i) => i.stop()));
    this.running.length = 0;
  }

  private async begin<T extends KubernetesObject>(kind: string, path: string, list: () => Promise<KubernetesListObject<T>>): Promise<Cache<T>> {
    const informer = new RestartingInformer<T>({ kind, path, list }, this.clients, this.log);
    this.running.push(informer);
    await informer.start();
    return informer;
  }
}
