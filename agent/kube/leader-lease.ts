/**
 * The leader Lease, watched (no polling): where the current coordinator listens, and a call at once when a
 * new leadership term starts (another holder, a new acquire time or address), so the agent reconnects to
 * the new leader within moments instead of backing off blind. One watch on the one Lease (field selector
 * metadata.name), ended by the server after a bounded time and restarted with backoff after errors.
 */
import { Watch, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Logger } from '../../shared/logger.js';
import { COORDINATOR_ADDRESS_ANNOTATION, LEADER_LEASE_NAME } from '../../shared/names.js';
import { WatchRetry } from '../../shared/watch-retry.js';

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
/** Client side: a watch that neither ends nor answers for this long past its server timeout is cut. */
const GRACE_MS = 30_000;

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
  const watch = new Watch(kc);
  const listeners = new Set<(first: boolean) => void>();
  let term: Term | undefined;
  let everSeen = false;
  let answered = false;
  let firstAnswer: () => void = () => undefined;
  const answeredOnce = new Promise<void>((resolve) => (firstAnswer = resolve));
  const retry = new WatchRetry({ log, what: 'the leader Lease' });
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let current: AbortController | undefined;

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
  const onEvent = (type: string, lease: V1Lease): void => {
    retry.recovered();
    if (type === 'ADDED' || type === 'MODIFIED') seen(lease);
    else if (type === 'DELETED') term = undefined;
  };
  const startSoon = (delayMs: number): void => {
    clearTimeout(timer);
    timer = setTimeout(start, delayMs);
  };
  function onDone(err: unknown): void {
    clearTimeout(timer);
    if (stopped) return;
    // A watch the server ended (its timeout) restarts at once; a failed one after a backoff, logged once per streak.
    startSoon(err ? retry.failed(err) : 0);
  }
  function start(): void {
    if (stopped) return;
    const query = { fieldSelector: `metadata.name=${LEADER_LEASE_NAME}`, timeoutSeconds: WATCH_SECONDS, allowWatchBookmarks: false };
    watch.watch(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases`, query, onEvent, onDone).then(
      (ctl) => {
        retry.connected();
        current = ctl;
        if (stopped) ctl.abort();
        timer = setTimeout(() => ctl.abort(), WATCH_SECONDS * 1000 + GRACE_MS);
      },
      (err: unknown) => onDone(err),
    );
  }
  start();

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
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.abort();
    },
  };
}
