/**
 * The leader Lease, watched (no polling): where the current coordinator listens, and a call at once when a
 * new leadership term starts (another holder, a new acquire time or address), so the agent reconnects to
 * the new leader within moments instead of backing off blind. One watch on the one Lease (field selector
 * metadata.name), ended by the server after a bounded time and restarted with backoff after errors.
 */
import { Watch, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../shared/names.js';
import { keepWatching } from '../../shared/keep-watching.js';

export interface LeaderLease {
  /** The address the leader publishes (`host:port`); waits up to `waitMs` for the watch to show the Lease. */
  address(waitMs: number): Promise<string | undefined>;
  /**
   * Called when a term starts (a holder other than before, or the same one acquiring again); `first` is true
   * for the first term this watch sees (there may have been no Lease to read before it).
   */
  onNewTerm(cb: (first: boolean) => void): () => void;
  stop(): void;
}

/** The server ends each watch after this long (plus its own jitter); the watch then starts again. */
const WATCH_SECONDS = 300;

interface Term {
  holder: string;
  acquired: string;
  address: string | undefined;
}

function termOf(lease: V1Lease | undefined): Term | undefined {
  const holder = lease?.spec?.holderIdentity;
  if (!holder) return undefined;
  const acquired = lease.spec?.acquireTime;
  return {
    holder,
    acquired: acquired === undefined ? '' : new Date(acquired).toISOString(),
    address: lease.metadata?.annotations?.[COORDINATOR_ADDRESS_ANNOTATION],
  };
}

const sameTerm = (a: Term | undefined, b: Term): boolean =>
  a !== undefined && a.holder === b.holder && a.acquired === b.acquired && a.address === b.address;

export function watchLeaderLease(kc: KubeConfig, namespace: string, log: Logger): LeaderLease {
  const listeners = new Set<(first: boolean) => void>();
  let term: Term | undefined;
  let everSeen = false;
  let answered = false;
  let firstAnswer: () => void = () => undefined;
  const answeredOnce = new Promise<void>((resolve) => (firstAnswer = resolve));

  const seen = (lease: V1Lease): void => {
    answered = true;
    firstAnswer();
    const next = termOf(lease);
    if (next === undefined || sameTerm(term, next)) return;
    const first = !everSeen;
    everSeen = true;
    term = next;
    listeners.forEach((cb) => cb(first));
  };
  const watching = keepWatching<V1Lease>({
    watch: new Watch(kc),
    path: `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`,
    query: { fieldSelector: `metadata.name=${LEADER_LEASE_NAME}` },
    serverTimeoutSeconds: WATCH_SECONDS,
    what: 'the leader Lease',
    log,
    onEvent(type, lease) {
      if (type === 'ADDED' || type === 'MODIFIED') seen(lease);
      else if (type === 'DELETED') term = undefined;
    },
  });

  return {
    async address(waitMs) {
      if (!answered) {
        let t: NodeJS.Timeout | undefined;
        await Promise.race([answeredOnce, new Promise<void>((resolve) => (t = setTimeout(resolve, waitMs)))]);
        clearTimeout(t);
      }
      return term?.address;
    },
    onNewTerm(cb) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    stop: () => watching.stop(),
  };
}
