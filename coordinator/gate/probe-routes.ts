/**
 * The probe API route (see shared/probe.ts): a probe pod's report, authenticated as the probe's
 * ServiceAccount with a token bound to a pod on the node the report speaks for.
 */
import type { Router } from 'express';
import { ProbeReportSchema } from '../../shared/probe.js';
import { PROBE_REPORT_PATH } from '../../shared/probe.js';
import type { Logger } from '../../shared/logger.js';
import type { ProbeDirectory } from '../ports.js';
import type { AgentAuthenticator } from './authenticator.js';
import { methodNotAllowed } from './errors.js';
import { requireSamePod } from './principal.js';
import { bearerToken, parseOrReject } from './validate.js';

export interface ProbeRouteDeps {
  directory: ProbeDirectory;
  auth: AgentAuthenticator;
  log: Logger;
}

export function addProbeRoutes(router: Router, deps: ProbeRouteDeps): void {
  router
    .route(PROBE_REPORT_PATH)
    .post(async (req, res) => {
      const token = bearerToken(req);
      const body = parseOrReject(ProbeReportSchema, req.body, 'probe report');
      const principal = await deps.auth.authenticate(token, body.nodeName, req.socket.remoteAddress);
      requireSamePod(principal, body.podName);
      res.json(await deps.directory.probeReport(body));
    })
    .all(methodNotAllowed('POST'));
}
