/**
 * ServiceAccount tokens: JWT-shaped (HS256 with a per-server secret), carrying audiences, expiry and an
 * optional pod binding, and their verification (signature, expiry, audience, bound objects still there).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export interface TokenClaims {
  namespace: string;
  serviceAccount: { name: string; uid: string };
  pod?: { name: string; uid: string };
  audiences: string[];
  issuedAt: number;
  expiresAt: number;
}

const payloadSchema = z.object({
  aud: z.array(z.string()),
  exp: z.number(),
  iat: z.number(),
  iss: z.string(),
  sub: z.string(),
  'kubernetes.io': z.object({
    namespace: z.string(),
    pod: z.object({ name: z.string(), uid: z.string() }).optional(),
    serviceaccount: z.object({ name: z.string(), uid: z.string() }),
  }),
});

const b64 = (s: string | Buffer): string => Buffer.from(s).toString('base64url');

export class TokenSigner {
  private readonly secret = randomBytes(32);

  issue(c: TokenClaims): string {
    const header = b64(JSON.stringify({ alg: 'HS256', kid: 'sim-apiserver' }));
    const claims: Record<string, unknown> = {
      aud: c.audiences,
      exp: c.expiresAt,
      iat: c.issuedAt,
      iss: API_AUDIENCE,
      'kubernetes.io': { namespace: c.namespace, ...(c.pod ? { pod: c.pod } : {}), serviceaccount: c.serviceAccount },
      nbf: c.issuedAt,
      sub: `system:serviceaccount:${c.namespace}:${c.serviceAccount.name}`,
    };
    const body = `${header}.${b64(JSON.stringify(claims))}`;
    return `${body}.${this.sign(body)}`;
  }

  /** The claims of a token this server signed, or undefined for anything else. */
  read(token: string): TokenClaims | undefined {
    const [header, payload, sig] = token.split('.');
    if (!header || !payload || !sig) return undefined;
    const expected = Buffer.from(this.sign(`${header}.${payload}`));
    const got = Buffer.from(sig);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) return undefined;
    const parsed = payloadSchema.safeParse(safeJson(Buffer.from(payload, 'base64url').toString('utf8')));
    if (!parsed.success) return undefined;
    const k = parsed.data['kubernetes.io'];
    const claims: TokenClaims = {
      namespace: k.namespace,
      serviceAccount: k.serviceaccount,
      audiences: parsed.data.aud,
      issuedAt: parsed.data.iat,
      expiresAt: parsed.data.exp,
    };
    if (k.pod) claims.pod = k.pod;
    return claims;
  }

  private sign(data: string): string {
    return createHmac('sha256', this.secret).update(data).digest('base64url');
  }
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown;
  } catch {
    return undefined;
  }
}
