/**
 * The firewall part of a cleanup (iptables in both backends, plus Calico's nftables tables), seen by
 * the orchestrator through this narrow port. `iptables-firewall.ts` adapts the iptables module to it;
 * tests pass a ten-line fake.
 */
export interface FirewallPlan {
  /** Calico's items by kind (e.g. `iptables-rules`, `iptables-chains`, `nft-tables`); all zero means clean. */
  counts: Record<string, number>;
  /** Calico ipsets that a non-Calico rule still references: they must stay. */
  ipsetsReferencedByOthers: string[];
  /** The exact payloads apply feeds to iptables-restore / nft, one entry per transaction. */
  payloads: string[];
  /** Human-readable notes on what stays. */
  notes: string[];
  /** Carries the plan out; returns what was removed, by kind. */
  apply(): Promise<Record<string, number>>;
}

export interface FirewallCleanup {
  /** Reads only. */
  plan(): Promise<FirewallPlan>;
}
