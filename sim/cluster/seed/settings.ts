/**
 * What the seeded cluster looks like: how Calico was installed and on which pool, whether Cilium came from
 * Helm, and which pre-flight problem (if any) it carries on purpose. Validated once with zod.
 */
import { z } from 'zod';
import { Ipv4CidrSchema } from '../../../shared/api.js';

/** Problems a seeded cluster can carry on purpose, each one something pre-flight must find. */
export const SEED_BREAKS = [
  'cilium-absent',
  'cilium-not-secondary',
  'nodeconfig-absent',
  'nodeconfig-wrong-label',
  'cidr-overlap',
  'tunnel-port-clash',
  'first-found',
  'mtu-mismatch',
  'pdb-never-evicts',
  'bgp-peers',
] as const;
export type SeedBreak = (typeof SEED_BREAKS)[number];

export const SeedSettingsSchema = z.strictObject({
  /** `manifest`: calico.yaml (DaemonSet kube-system/calico-node, calico-config); `operator`: the Tigera operator. */
  calicoInstall: z.enum(['manifest', 'operator']).default('manifest'),
  /** Calico's default IPPool (Calico's own default is 192.168.0.0/16). */
  calicoPool: Ipv4CidrSchema.default('10.244.0.0/16'),
  /** Cilium's cluster pool. */
  ciliumPool: Ipv4CidrSchema.default('10.245.0.0/16'),
  /**
   * The Helm values Cilium was installed with (`helm install -f`), instead of the seed's own: cilium-config is
   * rendered from them as the chart renders it, and a Helm release records them. The Cilium breaks then no
   * longer apply (the values say what is installed).
   */
  ciliumValues: z.record(z.string(), z.unknown()).optional(),
  /** Cilium installed by Helm (a release Secret records its values) rather than from rendered manifests. */
  ciliumHelm: z.boolean().default(true),
  /** A few projectcalico.org policies, network sets and a host endpoint, which Cilium will not enforce. */
  calicoPolicies: z.boolean().default(true),
  breaks: z.array(z.enum(SEED_BREAKS)).default([]),
});
export type SeedSettingsInput = z.input<typeof SeedSettingsSchema>;
export type SeedSettings = z.output<typeof SeedSettingsSchema>;

export const seedSettings = (input: SeedSettingsInput = {}): SeedSettings => SeedSettingsSchema.parse(input);
export const breaks = (s: SeedSettings, b: SeedBreak): boolean => s.breaks.includes(b);
