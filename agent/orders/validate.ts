/**
 * The `validate` order: run the check pod on this node, judge its report against the order, and always
 * delete the pod afterwards (the outcome does not wait for the delete).
 */
import { buildCheckPod, checkPodDeadlineSeconds, type ValidateOrder } from '../checks/check-pod.js';
import { parseCheckReport } from '../checks/check-report.js';
import { describeError } from '../../shared/errors.js';
import type { Logger } from '../../shared/logger.js';
import type { CheckPodApi } from '../kube/check-pod-api.js';
import type { OrderOutcome } from './outcome.js';

export interface ValidateDeps {
  pods: CheckPodApi;
  nodeName: string;
  namespace: string;
  ownerPod: { name: string; uid: string };
  image: string;
  log: Logger;
}

/** Time kept back from the coordinator's deadline to report the result before it halts the node. */
const REPORT_MARGIN_MS = 3000;

/** How long the check may take: its pod's own deadline, but never past the coordinator's (less the margin). */
export function validationBudgetMs(order: ValidateOrder, now: number): number {
  const own = checkPodDeadlineSeconds(order) * 1000;
  if (order.notAfter === undefined) return own;
  return Math.max(1000, Math.min(own, Date.parse(order.notAfter) - REPORT_MARGIN_MS - now));
}

export async function runValidateOrder(deps: ValidateDeps, order: ValidateOrder): Promise<OrderOutcome> {
  const pod = buildCheckPod({ nodeName: deps.nodeName, namespace: deps.namespace, ownerPod: deps.ownerPod, image: order.image ?? deps.image, order });
  const name = pod.metadata?.name ?? '';
  const started = Date.now();
  const budget = validationBudgetMs(order, started);
  try {
    await deps.pods.create(pod, started + budget);
  } catch (e) {
    // Not ours to delete: the pod of that name (if any) belongs to someone else.
    return { outcome: 'failed', message: `validation could not run: ${describeError(e)}` };
  }
  try {
    const done = await deps.pods.waitForTermination(name, Math.max(1000, budget - (Date.now() - started)));
    if (done.message === '') return { outcome: 'failed', message: `check pod ${name} ended (${done.phase}) without a report` };
    const verdict = parseCheckReport(done.message, order);
    const why = verdict.failures.map((f) => `${f.check} ${f.target}: ${f.reason}`).join('; ');
    deps.log.info({ node: deps.nodeName, phase: 'Validating', verdict: verdict.verdict, why }, 'check pod finished');
    return {
      outcome: verdict.verdict === 'pass' ? 'succeeded' : 'failed',
      message: verdict.verdict === 'pass' ? 'all checks passed' : why,
      checks: verdict.report,
    };
  } catch (e) {
    return { outcome: 'failed', message: `validation could not run: ${describeError(e)}` };
  } finally {
    // Deleted behind the result, not before it: the pod has finished, and the node's hand-off need not wait for the
    // delete (0.3 s on a busy API server, up to 10 s of retries). If it fails, the pod's deadline and its owner (the
    // agent pod) still bound it.
    void deps.pods.remove(name).catch((e: unknown) => deps.log.warn({ node: deps.nodeName, err: e }, 'check pod not deleted'));
  }
}
