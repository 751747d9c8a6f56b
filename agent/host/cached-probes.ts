/**
 * Heartbeats report which iptables backends hold rules and whether Calico leftovers remain. On a real
 * node each answer costs a full inventory (every `*-save`, `ip`, `ipset`): with tens of thousands of rules
 * that is seconds of CPU. The answers change only when something cleans the node, so they are cached for
 * a while and forgotten the moment a cleanup runs.
 */
import type { IptablesBackend } from '../../shared/api.js';
import type { CleanupOptions, CleanupReport, NodeHost } from './node-host.js';

export const PROBE_CACHE_MS = 5 * 60 * 1000;

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

export function withCachedProbes(host: NodeHost, ttlMs = PROBE_CACHE_MS, now: () => number = () => performance.now()): NodeHost {
  let backends: Cached<IptablesBackend[]> | undefined;
  let leftovers: Cached<boolean> | undefined;
  const fresh = <T>(c: Cached<T> | undefined): c is Cached<T> => c !== undefined && now() - c.at < ttlMs;
  const remember = <T>(value: Promise<T>, forget: () => void): Cached<T> => {
    value.catch(forget);
    return { at: now(), value };
  };
  return {
    bootId: () => host.bootId(),
    kernel: () => host.kernel(),
    reboot: () => host.reboot(),
    restoreCniFiles: () => host.restoreCniFiles(),
    cleanup: async (opts: CleanupOptions): Promise<CleanupReport> => {
      backends = undefined;
      leftovers = undefined;
      return host.cleanup(opts);
    },
    iptablesBackends: () => {
      if (!fresh(backends)) backends = remember(host.iptablesBackends(), () => (backends = undefined));
      return backends.value;
    },
    calicoLeftovers: () => {
      if (!fresh(leftovers)) leftovers = remember(host.calicoLeftovers(), () => (leftovers = undefined));
      return leftovers.value;
    },
  };
}
