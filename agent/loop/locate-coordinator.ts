/**
 * Finding the coordinator without cluster DNS: a configured URL wins; otherwise the address the leader
 * publishes on its Lease, else the first ready address of the coordinator Service's Endpoints.
 * The answer is remembered until the client reports a network failure or a new leader takes over.
 */
import { CniMigrateError } from '../../shared/errors.js';

export interface CoordinatorLocator {
  locate(): Promise<string>;
  forget(): void;
  /** Calls `cb` when another coordinator took over (the next `locate` already looks again). */
  onMoved?(cb: () => void): () => void;
  stop?(): void;
}

/** Where the address could be read from; each answer is undefined when that source has none. */
export interface CoordinatorAddressSources {
  leaderAddress(): Promise<string | undefined>;
  serviceEndpoint(): Promise<string | undefined>;
  /** Calls `cb` when a leadership term starts (`first`: the first one seen, maybe while there was none to read). */
  onLeaderChange?(cb: (first: boolean) => void): () => void;
  stop?(): void;
}

export const fixedLocator = (url: string): CoordinatorLocator => ({
  locate: () => Promise.resolve(url.replace(/\/+$/, '')),
  forget: () => undefined,
});

export function discoveringLocator(sources: CoordinatorAddressSources): CoordinatorLocator {
  let known: string | undefined;
  /** The last answer came from the Service, not the Lease (it may name a replica that does not lead). */
  let fromService = false;
  return {
    async locate() {
      if (known !== undefined) return known;
      const leader = await sources.leaderAddress().catch(() => undefined);
      fromService = leader === undefined;
      const hostPort = leader ?? (await sources.serviceEndpoint());
      if (hostPort === undefined) throw new CniMigrateError('NotFound', 'no coordinator address published yet');
      known = `http://${hostPort}`;
      return known;
    },
    forget() {
      known = undefined;
    },
    onMoved(cb) {
      return (
        sources.onLeaderChange?.((first) => {
          // The first term seen is where a lookup that waited for the Lease already went, unless it fell back to the Service.
          if (first && !fromService) return;
          known = undefined;
          cb();
        }) ?? (() => undefined)
      );
    },
    stop: () => sources.stop?.(),
  };
}
