/**
 * Drains a node: evicts (policy/v1) every pod the drain plan selects, retrying 429s with backoff until
 * the deadline, then watches (from the list's resourceVersion) until the evicted pods are gone. A blocked eviction is reported naming the
 * pod and the PodDisruptionBudget that protects it.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { DrainOutcome } from '../core/decision.js';
import { pdbsProtecting, planDrain, podRef, type DrainOptions } from '../core/drain-plan.js';
import type { PdbsApi } from '../kube/pdbs.js';
import type { PodsApi } from '../kube/pods.js';
import { backoff, waitUntil } from './wait.js';

export interface DrainDeps {
  pods: PodsApi;
  pdbs: PdbsApi;
  log: Logger;
  now: () => Date;
}

const FIRST_BACKOFF_MS = 200;
const MAX_BACKOFF_MS = 5000;

type EvictResult = { ok: true } | { ok: false; pod: V1Pod; message: string };

async function evictWithRetry(deps: DrainDeps, pod: V1Pod, deadline: Date, signal: AbortSignal): Promise<EvictResult> {
  const ref = { namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '' };
  for (let wait = FIRST_BACKOFF_MS; ; wait = Math.min(wait * 2, MAX_BACKOFF_MS)) {
    const outcome = await deps.pods.evict(ref);
    if (outcome.kind !== 'blocked') return { ok: true };
    const left = deadline.getTime() - deps.now().getTime();
    if (left <= 0 || signal.aborted) return { ok: false, pod, message: outcome.message };
    deps.log.debug({ pod: podRef(pod), retryInMs: Math.min(wait, left) }, 'eviction refused (429); retrying');
    if (!(await backoff(Math.min(wait, left), signal))) return { ok: false, pod, message: outcome.message };
  }
}

async function describeBlock(deps: DrainDeps, pod: V1Pod, message: string): Promise<string> {
  let names: string[] = [];
  try {
    names = pdbsProtecting(pod, await deps.pdbs.inNamespace(pod.metadata?.namespace ?? ''));
  } catch (e) {
    deps.log.warn({ err: describeError(e) }, 'could not read PodDisruptionBudgets');
  }
  const by = names.length > 0 ? `PodDisruptionBudget ${names.join(', ')}` : 'a disruption budget';
  return `drain deadline passed: eviction of pod ${podRef(pod)} blocked by ${by} (${message})`;
}

export interface DrainRequest {
  node: string;
  opts: DrainOptions;
  deadline: Date;
  signal: AbortSignal;
}

export async function drainNode(deps: DrainDeps, { node, opts, deadline, signal }: DrainRequest): Promise<DrainOutcome> {
  const listed = await deps.pods.listNodePods(node);
  const plan = planDrain(listed.items, opts);
  if (plan.refused.length > 0) return { done: false, reason: `drain refused: ${plan.refused.join('; ')}` };
  // Nothing to evict (only DaemonSet pods, or an empty node): drained, with one request and no watch.
  if (plan.evict.length === 0) return { done: true };
  const view = deps.pods.watchNodePods(node, listed);
  await view.start();
  try {
    const results = await Promise.all(plan.evict.map((p) => evictWithRetry(deps, p, deadline, signal)));
    const blocked = results.find((r): r is Extract<EvictResult, { ok: false }> => !r.ok);
    if (blocked) return { done: false, reason: await describeBlock(deps, blocked.pod, blocked.message) };
    const evicted = new Set(plan.evict.map((p) => p.metadata?.uid));
    const gone = (): boolean => !view.list().some((p) => evicted.has(p.metadata?.uid));
    const left = deadline.getTime() - deps.now().getTime();
    if (await waitUntil(gone, (cb) => view.onChange(cb), left, signal)) return { done: true };
    const stuck = view.list().filter((p) => evicted.has(p.metadata?.uid)).map(podRef);
    return { done: false, reason: `drain deadline passed: evicted pods still present: ${stuck.join(', ')}` };
  } finally {
    await view.stop();
  }
}
