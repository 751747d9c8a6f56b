/**
 * One in-process agent per simulated node, each as its DaemonSet pod: its own pod-bound ServiceAccount
 * tokens (one for the coordinator's audience, one for the API), a SimNodeHost, and the real agent loop.
 * A reboot stops the node's agent (its process dies with the node); once the node is back with a new boot
 * id, a new agent starts, as the kubelet would restart the container, with new tokens: the kubelet's token
 * manager keeps the pod's projected tokens in memory, so the restarted pod is issued new ones (as the probe
 * pods are). A container restart without a reboot keeps them.
 */
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { TOKEN_AUDIENCE } from '../../shared/names.js';
import { VERSION } from '../../shared/version.js';
import type { Backoff } from '../../agent/loop/backoff.js';
import { discoveringLocator } from '../../agent/loop/locate-coordinator.js';
import { kubeAddressSources } from '../../agent/kube/coordinator-address.js';
import { startAgent, type RunningAgent } from '../../agent/loop/start-agent.js';
import type { NodeHost } from '../../agent/host/node-host.js';
import { SimNodeHost, type SimNodeSource } from '../host/sim-node-host.js';
import { watchList, type WatchedList } from './watch-cache.js';
import { AGENT_SOURCES, NodeSources } from './source-address.js';

export const AGENT_NAMESPACE = 'cni-migrate';
export const AGENT_SERVICE_ACCOUNT = 'cni-migrate-agent';
export const AGENT_POD_SELECTOR = 'app.kubernetes.io/component=agent';
/** Agents started together (each asks the API server for its two tokens, then starts its loop); the next batch starts once these run. */
const AGENTS_STARTED_TOGETHER = 250;

/** A node's host as the demo reports it: the agent's NodeHost, and what its cleanups did. */
export interface DemoNodeHost extends NodeHost {
  /** Cleanups run for real (not dry runs). */
  readonly cleanupRuns: number;
  /** Calico items still on the node (as far as this host knows). */
  leftoverItems(): number;
}

export interface FleetDeps {
  /** The admin's view: issues the agents' tokens (as the kubelet would). */
  adminKc: KubeConfig;
  kubeConfigFor(token: string): KubeConfig;
  sim: SimNodeSource;
  checkImage: string;
  log: Logger;
  backoff?: () => Backoff;
  /** The agent's host on a node (default: the simulated host itself; tests run the real host code in a network namespace). */
  hostFor?: (sim: SimNodeHost) => DemoNodeHost;
}

interface Member {
  pod: { name: string; uid: string; namespace: string };
  host: DemoNodeHost;
  coordinatorToken: string;
  apiKc: KubeConfig;
  agent: RunningAgent | undefined;
  /** Boot id the running agent started on; a stopped agent restarts when the node reports another. */
  startedOnBoot: string;
  starts: number;
}

/** The agent DaemonSet's pods, watched. */
export function watchAgentPods(admin: KubeConfig): Promise<WatchedList<V1Pod>> {
  const core = admin.makeApiClient(CoreV1Api);
  const list = () => core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: AGENT_POD_SELECTOR });
  return watchList<V1Pod>(admin, `/api/v1/namespaces/${AGENT_NAMESPACE}/pods`, list, { labelSelector: AGENT_POD_SELECTOR });
}

/** Whether the pods put an agent on every one of `names`. */
export const agentOnEveryNode =
  (names: ReadonlySet<string>) =>
  (pods: readonly V1Pod[]): boolean =>
    new Set(pods.map((p) => p.spec?.nodeName).filter((n) => n !== undefined && names.has(n))).size === names.size;

export const isNodeReady = (node: V1Node): boolean =>
  (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export class AgentFleet {
  private readonly members = new Map<string, Member>();
  private readonly core: CoreV1Api;
  /** Each node's agent calls the coordinator from its own address, as from its node's IP. */
  private readonly sources = new NodeSources(AGENT_SOURCES);
  /** Once stopped, no agent starts again: a kill or reboot still finishing must not revive one after stopAll. */
  private stopped = false;

  constructor(private readonly deps: FleetDeps) {
    this.core = deps.adminKc.makeApiClient(CoreV1Api);
  }

  /**
   * Starts the agent of every given agent pod, a batch at a time, as a DaemonSet's pods come up on their nodes over
   * seconds rather than in one millisecond: 5,000 agents asking for their tokens and registering at once overflowed
   * every accept queue on the way.
   */
  async startAll(agentPods: readonly V1Pod[]): Promise<void> {
    for (let i = 0; i < agentPods.length; i += AGENTS_STARTED_TOGETHER) {
      await Promise.all(agentPods.slice(i, i + AGENTS_STARTED_TOGETHER).map((pod) => this.join(pod)));
    }
  }

  host(node: string): DemoNodeHost | undefined {
    return this.members.get(node)?.host;
  }

  /** The hosts here are the agents' own: always up to date. */
  refreshHosts(): Promise<void> {
    return Promise.resolve();
  }

  /** How many agent processes ran on the node (1 + restarts). */
  startsOf(node: string): number {
    return this.members.get(node)?.starts ?? 0;
  }

  /** A node changed: restart its stopped agent once it is Ready on a new boot. */
  nodeChanged(node: V1Node): void {
    const name = node.metadata?.name ?? '';
    const m = this.members.get(name);
    if (m === undefined || m.agent !== undefined) return;
    const bootId = node.status?.nodeInfo?.bootID;
    if (isNodeReady(node) && bootId !== undefined && bootId !== m.startedOnBoot) this.launch(name, m, bootId);
  }

  /** Kill a node's agent (as a crash would); `revive` starts a fresh process right away. */
  async kill(node: string, revive: boolean): Promise<void> {
    const m = this.members.get(node);
    if (m?.agent === undefined) return;
    const agent = m.agent;
    m.agent = undefined;
    await agent.stop();
    if (revive) this.launch(node, m, await this.deps.sim.bootId(node));
  }

  async stopAll(): Promise<void> {
    this.stopped = true;
    const running = [...this.members.values()].flatMap((m) => (m.agent ? [m.agent] : []));
    for (const m of this.members.values()) m.agent = undefined;
    await Promise.all(running.map((a) => a.stop()));
  }

  private async join(pod: V1Pod): Promise<void> {
    const nodeName = pod.spec?.nodeName;
    const name = pod.metadata?.name;
    const uid = pod.metadata?.uid;
    if (nodeName === undefined || name === undefined || uid === undefined) return;
    const { coordinatorToken, apiKc } = await this.issueTokens(name, uid);
    const source: SimNodeSource = {
      ...this.deps.sim,
      rebootNode: (n) => this.rebootAndStopAgent(n),
    };
    const member: Member = {
      pod: { name, uid, namespace: AGENT_NAMESPACE },
      host: (this.deps.hostFor ?? ((h) => h))(new SimNodeHost(nodeName, source)),
      coordinatorToken,
      apiKc,
      agent: undefined,
      startedOnBoot: '',
      starts: 0,
    };
    this.members.set(nodeName, member);
    this.launch(nodeName, member, await this.deps.sim.bootId(nodeName));
  }

  /** Starts the node's agent on `bootId`: on a boot other than the last agent's, once the pod has its new tokens. */
  private launch(nodeName: string, m: Member, bootId: string): void {
    if (this.stopped) return;
    const rebooted = m.startedOnBoot !== '' && m.startedOnBoot !== bootId;
    m.startedOnBoot = bootId;
    m.starts += 1;
    if (rebooted) void this.reissueThenStart(nodeName, m, bootId);
    else this.startLoop(nodeName, m);
  }

  /** The kubelet issues the rebooted node's pod new tokens (its token manager is in memory); then the agent starts. */
  private async reissueThenStart(nodeName: string, m: Member, bootId: string): Promise<void> {
    for (;;) {
      try {
        Object.assign(m, await this.issueTokens(m.pod.name, m.pod.uid));
        break;
      } catch (e) {
        this.deps.log.warn({ node: nodeName, err: String(e) }, 'could not issue the agent pod its tokens; trying again');
        await new Promise((resolve) => setTimeout(resolve, 200));
        if (this.stopped) return;
      }
    }
    // Stopped meanwhile, or another boot's agent started: nothing to start.
    if (!this.stopped && m.agent === undefined && m.startedOnBoot === bootId) this.startLoop(nodeName, m);
  }

  private startLoop(nodeName: string, m: Member): void {
    const log = this.deps.log.child({ node: nodeName });
    m.agent = startAgent({
      kc: m.apiKc,
      host: m.host,
      nodeName,
      pod: m.pod,
      agentVersion: VERSION,
      locator: discoveringLocator(kubeAddressSources(m.apiKc, AGENT_NAMESPACE, 'cni-migrate-coordinator', log)),
      readToken: () => Promise.resolve(m.coordinatorToken),
      checkImage: this.deps.checkImage,
      forceCleanup: false,
      log,
      fetch: this.sources.fetchFor(nodeName),
      ...(this.deps.backoff ? { backoff: this.deps.backoff() } : {}),
    });
  }

  /** The node goes down; its agent process dies with it, and comes back once the node booted again. */
  private async rebootAndStopAgent(nodeName: string): Promise<void> {
    await this.deps.sim.rebootNode(nodeName);
    const m = this.members.get(nodeName);
    const agent = m?.agent;
    if (m === undefined || agent === undefined) return;
    m.agent = undefined;
    await agent.stop();
    // The node may have finished booting while the old process was still stopping: no event will come.
    const bootId = await this.deps.sim.bootId(nodeName);
    if (m.agent === undefined && bootId !== m.startedOnBoot) this.launch(nodeName, m, bootId);
  }

  /** The pod's two tokens: for the coordinator's audience, and for the API (as its kubeconfig). */
  private async issueTokens(podName: string, podUid: string): Promise<{ coordinatorToken: string; apiKc: KubeConfig }> {
    const [coordinatorToken, apiToken] = await Promise.all([this.issueToken(podName, podUid, [TOKEN_AUDIENCE]), this.issueToken(podName, podUid, undefined)]);
    return { coordinatorToken, apiKc: this.deps.kubeConfigFor(apiToken) };
  }

  private async issueToken(podName: string, podUid: string, audiences: string[] | undefined): Promise<string> {
    const answer = await this.core.createNamespacedServiceAccountToken({
      namespace: AGENT_NAMESPACE,
      name: AGENT_SERVICE_ACCOUNT,
      body: {
        spec: {
          audiences: audiences ?? [],
          expirationSeconds: 3600,
          boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: podName, uid: podUid },
        },
      },
    });
    return answer.status?.token ?? '';
  }
}
