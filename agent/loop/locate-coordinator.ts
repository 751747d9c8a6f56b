/**
 * Finding the coordinator without cluster DNS: a configured URL wins; otherwise the address the leader
 * publishes on its Lease, else the first ready address of the coordinator Service's Endpoints.
 * The answer is remembered until the client reports a network failure.
 */
import { CniMigrateError } from '../../shared/errors.js';

export interface CoordinatorLocator {
  locate(): Promise<string>;
  forget(): void;
}

/** Where the address could be read from; each answer is undefined when that source has none. */
export interface CoordinatorAddressSources {
  leaderAddress(): Promise<string | undefined>;
  serviceEndpoint(): Promise<string | undefined>;
}

export const fixedLocator = (url: string): CoordinatorLocator => ({
  locate: () => Promise.resolve(url.replace(/\/+$/, '')),
  forget: () => undefined,
});

export function discoveringLocator(sources: CoordinatorAddressSources): CoordinatorLocator {
  let known: string | undefined;
  return {
    async locate() {
      if (known !== undefined) return known;
      const hostPort = (await sources.leaderAddress().catch(() => undefined)) ?? (await sources.serviceEndpoint());
      if (hostPort === undefined) throw new CniMigrateError('NotFound', 'no coordinator address published yet');
      known = `http://${hostPort}`;
      return known;
    },
    forget() {
      known = undefined;
    },
  };
}
