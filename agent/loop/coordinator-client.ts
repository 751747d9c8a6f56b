/**
 * The agent's HTTP client for the coordinator's API (shared/api.ts). Every request re-reads the projected
 * token (it rotates) and validates the answer; a network failure makes the next request locate the
 * coordinator again.
 */
import {
  API_PREFIX,
  ApiErrorSchema,
  HeartbeatResponseSchema,
  OrderResponseSchema,
  RegisterResponseSchema,
  ResultAckSchema,
  type Heartbeat,
  type Order,
  type OrderResult,
  type RegisterRequest,
  type RegisterResponse,
} from '../../shared/api.js';
import { CniMigrateError, type ErrorCode } from '../../shared/errors.js';
import type { Fetch } from '../../shared/fetch.js';
import type { z } from 'zod';

/** What the agent loop needs from the coordinator; tests pass a fake or the HTTP client against a fake server. */
export interface CoordinatorApi {
  register(req: RegisterRequest): Promise<RegisterResponse>;
  heartbeat(hb: Heartbeat): Promise<void>;
  nextOrder(nodeName: string, after: string | undefined, waitSeconds: number, signal: AbortSignal): Promise<Order | null>;
  /** true when the coordinator accepted the result (false: stale order, ignored). */
  reportResult(res: OrderResult): Promise<boolean>;
  /** Look the coordinator up again before the next request (it may have moved to another replica). */
  relocate?(): void;
}

export interface CoordinatorClientDeps {
  /** The coordinator's base URL (http://host:port). */
  locate(): Promise<string>;
  /** Called after a network failure so the next `locate` looks again. */
  forget(): void;
  readToken(): Promise<string>;
  /** Extra time a request may take beyond its own long-poll wait. */
  requestTimeoutMs?: number;
  /** The HTTP call (default: the global fetch). */
  fetch?: Fetch;
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  413: 'PayloadTooLarge',
  429: 'TooManyRequests',
  503: 'Unavailable',
};

async function errorFromResponse(res: Response, what: string): Promise<CniMigrateError> {
  const parsed = ApiErrorSchema.safeParse(await res.json().catch(() => undefined));
  const message = parsed.success ? parsed.data.message : res.statusText;
  const issues = parsed.success ? parsed.data.issues : undefined;
  return new CniMigrateError(CODE_BY_STATUS[res.status] ?? 'Internal', `coordinator ${what}: HTTP ${res.status}: ${message}`, {
    issues,
  });
}

export function createCoordinatorClient(deps: CoordinatorClientDeps): CoordinatorApi {
  const timeoutMs = deps.requestTimeoutMs ?? 15_000;
  const call: Fetch = deps.fetch ?? fetch;

  async function send<S extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    schema: S,
    opts: { body?: unknown; signal?: AbortSignal; waitMs?: number } = {},
  ): Promise<z.output<S>> {
    const base = await deps.locate();
    const token = await deps.readToken();
    const deadline = AbortSignal.timeout(timeoutMs + (opts.waitMs ?? 0));
    const signal = opts.signal ? AbortSignal.any([opts.signal, deadline]) : deadline;
    let res: Response;
    try {
      res = await call(`${base}${API_PREFIX}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal,
      });
    } catch (e) {
      deps.forget();
      throw new CniMigrateError('Internal', `coordinator ${method} ${path} unreachable at ${base}`, { cause: e });
    }
    if (!res.ok) throw await errorFromResponse(res, `${method} ${path}`);
    const parsed = schema.safeParse(await res.json());
    if (!parsed.success) throw new CniMigrateError('Internal', `coordinator ${method} ${path}: unexpected answer`);
    return parsed.data;
  }

  return {
    relocate: () => deps.forget(),
    register: (req) => send('POST', '/register', RegisterResponseSchema, { body: req }),
    async heartbeat(hb) {
      await send('POST', '/heartbeat', HeartbeatResponseSchema, { body: hb });
    },
    async nextOrder(nodeName, after, waitSeconds, signal) {
      const query = new URLSearchParams({ waitSeconds: String(waitSeconds) });
      if (after !== undefined) query.set('after', after);
      const path = `/nodes/${encodeURIComponent(nodeName)}/order?${query.toString()}`;
      const answer = await send('GET', path, OrderResponseSchema, { signal, waitMs: waitSeconds * 1000 });
      return answer.order;
    },
    async reportResult(result) {
      const path = `/orders/${encodeURIComponent(result.orderId)}/result`;
      const ack = await send('POST', path, ResultAckSchema, { body: result });
      return ack.accepted;
    },
  };
}
