import { describe, it, expect } from '@jest/globals';
import type { V1DaemonSet, V1Node, V1Pod } from '@kubernetes/client-node';
import { planDaemonSet, REVISION_HASH_LABEL, templateHash } from '../../../sim/cluster/daemonset-plan.js';
import { DaemonSetTally } from '../../../sim/cluster/daemonset-tally.js';
import { seededRandom, type Random } from '../../../sim/seeded-random.js';
import { daemonSet, node, pod } from './fixtures.js';

/** A small cluster that changes one node or one pod at a time, telling the tally only what an informer would. */
class World {
  readonly nodes = new Map<string, V1Node>();
  readonly pods = new Map<string, V1Pod>();
  private next = 0;

  constructor(
    private readonly random: Random,
    private readonly hashes: readonly string[],
  ) {}

  pick<T>(items: readonly T[]): T | undefined {
    return items[Math.floor(this.random() * items.length)];
  }

  podsOn(name: string): V1Pod[] {
    return [...this.pods.values()].filter((p) => p.spec?.nodeName === name);
  }

  /** One random change, told to the tally as an informer event would be. */
  step(tally: DaemonSetTally): void {
    const r = this.random();
    if (r < 0.15) this.changeNode(tally);
    else if (r < 0.4) this.addPod(tally);
    else this.changePod(tally);
  }

  private changeNode(tally: DaemonSetTally): void {
    const name = `n${Math.floor(this.random() * 12)}`;
    if (this.nodes.has(name) && this.random() < 0.3) {
      this.nodes.delete(name);
      tally.nodeRemoved(name);
      return;
    }
    const n = node(name, { unschedulable: this.random() < 0.3, labels: this.random() < 0.7 ? { role: 'x' } : {} });
    this.nodes.set(name, n);
    tally.nodeChanged(n);
  }

  private addPod(tally: DaemonSetTally): void {
    const onNode = `n${Math.floor(this.random() * 13)}`;
    const name = `p${this.next++}`;
    this.pods.set(name, pod(name, { node: onNode, ready: this.random() < 0.6, labels: { [REVISION_HASH_LABEL]: this.pick(this.hashes) ?? '' } }));
    tally.podsChanged(onNode);
  }

  private changePod(tally: DaemonSetTally): void {
    const name = this.pick([...this.pods.keys()]);
    const old = name === undefined ? undefined : this.pods.get(name);
    if (name === undefined || old === undefined) return;
    const onNode = old.spec?.nodeName ?? '';
    const changed = this.changed(name, onNode, old.metadata?.labels ?? {});
    if (changed === 'kept') return;
    if (changed) this.pods.set(name, changed);
    else this.pods.delete(name);
    tally.podsChanged(onNode);
  }

  /** The pod after a random change: readiness flips, it starts terminating or finishes, or it goes (undefined). */
  private changed(name: string, onNode: string, labels: Record<string, string>): V1Pod | undefined | 'kept' {
    const r = this.random();
    if (r < 0.25) return undefined;
    if (r < 0.5) return pod(name, { node: onNode, labels, ready: this.random() < 0.5 });
    if (r < 0.7) return pod(name, { node: onNode, labels, terminating: true });
    if (r < 0.8) return pod(name, { node: onNode, labels, phase: 'Failed' });
    return 'kept';
  }
}

const sorted = (names: readonly string[]): string[] => [...names].sort();

describe('DaemonSet tally: the plan kept node by node equals the whole-cluster plan', () => {
  const selective = daemonSet('sel', { nodeSelector: { role: 'x' }, maxUnavailable: 2 });
  const restarted: V1DaemonSet = daemonSet('sel', { nodeSelector: { role: 'x' }, maxUnavailable: '30%', restartedAt: 'now', generation: 2 });

  it.each<[string, V1DaemonSet, number]>([
    ['when pods come and go with nodes, labels and cordons (seed 1)', selective, 1],
    ['when pods come and go with nodes, labels and cordons (seed 2)', selective, 2],
    ['when a rolling update runs (seed 3)', restarted, 3],
    ['when a rolling update runs (seed 4)', restarted, 4],
  ])('%s, then after every event the plan and the status are the same', (_name, ds, seed) => {
    const world = new World(seededRandom(seed), [templateHash(ds), 'old']);
    const tally = new DaemonSetTally(ds, [], []);
    for (let i = 0; i < 600; i++) {
      world.step(tally);
      const incremental = tally.plan(ds, (n) => world.podsOn(n));
      const full = planDaemonSet(ds, [...world.nodes.values()], [...world.pods.values()]);
      expect(incremental.status).toEqual(full.status);
      expect(incremental.createOn).toEqual(full.createOn);
      expect(incremental.deletePods).toEqual(full.deletePods);
    }
  });

  it('when nothing is told, then nothing is looked at again', () => {
    const ds = daemonSet('cilium');
    const pods = new Map([['a', [pod('p1', { node: 'a', labels: { [REVISION_HASH_LABEL]: templateHash(ds) } })]]]);
    const tally = new DaemonSetTally(ds, [node('a'), node('b')], pods.keys());
    const asked: string[] = [];
    const podsOn = (n: string): V1Pod[] => {
      asked.push(n);
      return pods.get(n) ?? [];
    };
    expect(tally.plan(ds, podsOn).createOn).toEqual(['b']);
    expect(sorted(asked)).toEqual(['a', 'b']);
    asked.length = 0;
    tally.podsChanged('b');
    tally.plan(ds, podsOn);
    expect(asked).toEqual(['b']);
    asked.length = 0;
    expect(tally.nodeChanged(node('a', { labels: { extra: 'label' } }))).toBe(false);
    tally.plan(ds, podsOn);
    expect(asked).toEqual([]);
  });

  it('when the template or the generation changes, then the tally no longer describes the DaemonSet', () => {
    const ds = daemonSet('cilium');
    const tally = new DaemonSetTally(ds, [], []);
    expect(tally.describes(daemonSet('cilium'))).toBe(true);
    expect(tally.describes(daemonSet('cilium', { restartedAt: 'x' }))).toBe(false);
    expect(tally.describes(daemonSet('cilium', { generation: 2 }))).toBe(false);
  });
});
