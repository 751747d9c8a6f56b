/**
 * Reads the check pod's termination message strictly: malformed JSON or a report that breaks the
 * schema is rejected (BadRequestError), and every expected check (the CIDR, the API, each peer, DNS)
 * must be present and passed for a "pass".
 */
import { CheckReportSchema, type CheckName, type CheckReport, type CheckResult } from '../../shared/checks.js';
import { BadRequestError } from '../../shared/errors.js';

export interface CheckExpectations {
  expectedCidr: string;
  peers: readonly string[];
  dnsName: string;
}

export interface CheckFailure {
  check: CheckName;
  target: string;
  reason: string;
}

export interface CheckVerdict {
  verdict: 'pass' | 'fail';
  failures: CheckFailure[];
  report: CheckReport;
}

/** Parses and validates the JSON; throws BadRequestError naming what is wrong. */
export function parseCheckReportJson(message: string): CheckReport {
  let raw: unknown;
  try {
    raw = JSON.parse(message);
  } catch {
    throw new BadRequestError(`check report is not JSON: ${message.slice(0, 120)}`);
  }
  const parsed = CheckReportSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new BadRequestError(`check report does not match the schema: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

interface Expected {
  check: CheckName;
  target?: string;
}

function expectedChecks(exp: CheckExpectations): Expected[] {
  return [
    { check: 'pod-cidr', target: exp.expectedCidr },
    { check: 'api' },
    ...exp.peers.map((peer): Expected => ({ check: 'ping', target: peer })),
    { check: 'dns', target: exp.dnsName },
  ];
}

const matches = (want: Expected) => (r: CheckResult): boolean =>
  r.check === want.check && (want.target === undefined || r.target === want.target);

function judge(want: Expected, results: readonly CheckResult[]): CheckFailure | undefined {
  const found = results.filter(matches(want));
  const target = want.target ?? '(any)';
  if (found.length === 0) return { check: want.check, target, reason: 'missing from the report' };
  const failed = found.find((r) => !r.ok);
  if (failed) return { check: want.check, target: failed.target, reason: failed.detail || 'failed' };
  return undefined;
}

/** The verdict on a termination message, given what the order asked to check. */
export function parseCheckReport(message: string, expectations: CheckExpectations): CheckVerdict {
  const report = parseCheckReportJson(message);
  const failures = expectedChecks(expectations).flatMap((want) => judge(want, report.results) ?? []);
  return { verdict: failures.length === 0 ? 'pass' : 'fail', failures, report };
}
