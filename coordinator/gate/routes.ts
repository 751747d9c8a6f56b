/**
 * The agent API routes (see shared/api.ts). Each handler: bearer token present, body/query valid,
 * the token's agent runs on the node it speaks for, then (and only then) the directory is called.
 */
import express, { type Request, type Router } from 'express';
import {
  API_PREFIX,
  HeartbeatSchema,
  K8sNameSchema,
  OrderIdSchema,
  OrderQuerySchema,
  OrderResultSchema,
  RegisterRequestSchema,
  type RegisterResponse,
} from '../../shared/api.js';
import { BadRequestError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import { agentPaceFor } from '../core/agent-pace.js';
import type { AgentDirectory } from '../ports.js';
import type { AgentAuthenticator } from './authenticator.js';
import { methodNotAllowed } from './errors.js';
import { waitForOrder } from './long-poll.js';
import { requireSamePod, type AgentPrincipal } from './principal.js';
import { bearerToken, parseOrReject } from './validate.js';

export interface GateRouteDeps {
  directory: AgentDirectory;
  auth: AgentAuthenticator;
  log: Logger;
  /** The configured pace, which a large cluster stretches (core/agent-pace.ts). */
  timing: RegisterResponse;
}

async function authorize(deps: GateRouteDeps, req: Request, nodeName: string, podName?: string): Promise<AgentPrincipal> {
  const principal = await deps.auth.authenticate(bearerToken(req), nodeName, req.socket.remoteAddress);
  requireSamePod(principal, podName);
  return principal;
}

export function addAgentRoutes(router: Router, deps: GateRouteDeps): void {
  const { directory, log } = deps;

  router
    .route(`${API_PREFIX}/register`)
    .post(async (req, res) => {
      bearerToken(req);
      const body = parseOrReject(RegisterRequestSchema, req.body, 'register body');
      await authorize(deps, req, body.nodeName, body.podName);
      await directory.register(body);
      const pace = agentPaceFor(directory.nodeCount?.() ?? 0, deps.timing);
      log.info({ node: body.nodeName, bootId: body.bootId, pod: body.podName, ...pace }, 'agent registered');
      res.json(pace);
    })
    .all(methodNotAllowed('POST'));

  router
    .route(`${API_PREFIX}/heartbeat`)
    .post(async (req, res) => {
      bearerToken(req);
      const body = parseOrReject(HeartbeatSchema, req.body, 'heartbeat body');
      await authorize(deps, req, body.nodeName, body.podName);
      await directory.heartbeat(body);
      res.json({ ok: true });
    })
    .all(methodNotAllowed('POST'));

  router
    .route(`${API_PREFIX}/nodes/:node/order`)
    .get(async (req, res) => {
      bearerToken(req);
      const nodeName = parseOrReject(K8sNameSchema, req.params.node, 'node name');
      const query = parseOrReject(OrderQuerySchema, req.query, 'order query');
      await authorize(deps, req, nodeName);
      const answer = await waitForOrder(directory, { nodeName, ...query }, res);
      if (answer !== undefined) res.json(answer);
    })
    .all(methodNotAllowed('GET'));

  router
    .route(`${API_PREFIX}/orders/:id/result`)
    .post(async (req, res) => {
      bearerToken(req);
      const orderId = parseOrReject(OrderIdSchema, req.params.id, 'order id');
      const body = parseOrReject(OrderResultSchema, req.body, 'result body');
      if (body.orderId !== orderId) throw new BadRequestError(`body orderId ${body.orderId} is not ${orderId}`);
      await authorize(deps, req, body.nodeName, body.podName);
      const accepted = await directory.result(body);
      log.info({ node: body.nodeName, orderId, outcome: body.outcome, accepted }, 'order result received');
      res.json({ accepted });
    })
    .all(methodNotAllowed('POST'));
}

export const jsonBodies = (maxBodyBytes: number) => express.json({ limit: maxBodyBytes, type: () => true });
