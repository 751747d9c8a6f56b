/**
 * Helm's release records: each revision is a Secret `sh.helm.release.v1.<release>.v<revision>` whose `release`
 * field is base64 (the API's) of base64 (Helm's) of gzip (old releases: plain) of the release JSON. In that
 * JSON `config` is what the user set and `chart.values` the chart's defaults. The current revision is the one
 * with status `deployed`, else the highest. Pure (synchronous gunzip of bytes already read).
 */
import type { V1Secret } from '@kubernetes/client-node';
import { gunzipSync } from 'node:zlib';
import { z } from 'zod';
import type { HelmReleaseFacts } from './model.js';

export const HELM_RELEASE_TYPE = 'helm.sh/release.v1';
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

const Values = z.record(z.string(), z.unknown()).nullish().transform((v) => v ?? {});
const ReleaseSchema = z.looseObject({
  name: z.string(),
  namespace: z.string().catch(''),
  version: z.number().int(),
  info: z.looseObject({ status: z.string().catch('unknown') }).catch({ status: 'unknown' }),
  chart: z
    .looseObject({
      metadata: z.looseObject({ name: z.string().catch(''), version: z.string().optional(), appVersion: z.string().optional() }).catch({ name: '' }),
      values: Values,
    })
    .catch({ metadata: { name: '' }, values: {} }),
  config: Values,
});

/** The release JSON from the Secret's `release` field as the API returns it (base64 of Helm's encoding). */
export function decodeHelmRelease(apiBase64: string): unknown {
  const helmBase64 = Buffer.from(apiBase64, 'base64').toString('utf8');
  const bytes = Buffer.from(helmBase64, 'base64');
  const gzipped = GZIP_MAGIC.every((b, i) => bytes[i] === b);
  return JSON.parse((gzipped ? gunzipSync(bytes) : bytes).toString('utf8')) as unknown;
}

const labelOf = (s: V1Secret, key: string): string | undefined => s.metadata?.labels?.[key];
const revisionOf = (s: V1Secret): number => Number(labelOf(s, 'version') ?? 0) || 0;

/** The current revision of each release: status deployed, else the highest version. */
function currentRevisions(secrets: readonly V1Secret[]): V1Secret[] {
  const byRelease = new Map<string, V1Secret[]>();
  for (const s of secrets.filter((x) => x.type === HELM_RELEASE_TYPE && labelOf(x, 'owner') === 'helm')) {
    const name = labelOf(s, 'name') ?? '';
    byRelease.set(name, [...(byRelease.get(name) ?? []), s]);
  }
  return [...byRelease.values()].map((revs) => {
    const sorted = [...revs].sort((a, b) => revisionOf(b) - revisionOf(a));
    return sorted.find((s) => labelOf(s, 'status') === 'deployed') ?? (sorted[0] as V1Secret);
  });
}

function parsedRelease(secret: V1Secret): z.infer<typeof ReleaseSchema> | undefined {
  try {
    const r = ReleaseSchema.safeParse(decodeHelmRelease(secret.data?.['release'] ?? ''));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The decoded current release of `chart` among Helm's Secrets (a record that does not decode is skipped). */
export function currentHelmRelease(secrets: readonly V1Secret[], chart: string): HelmReleaseFacts | undefined {
  for (const secret of currentRevisions(secrets)) {
    const r = parsedRelease(secret);
    if (r?.chart.metadata.name !== chart) continue;
    return {
      name: r.name,
      namespace: r.namespace || (secret.metadata?.namespace ?? ''),
      revision: r.version,
      status: r.info.status,
      chartVersion: r.chart.metadata.version,
      appVersion: r.chart.metadata.appVersion,
      userValues: r.config,
      chartDefaults: r.chart.values,
    };
  }
  return undefined;
}
