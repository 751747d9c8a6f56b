/**
 * The house's boundaries are lint rules (eslint.config.js); this lints a violating import in each area
 * with the project's own configuration and expects the rule's error, so a rule cannot silently rot.
 * Only the import rule runs (no type information needed), on virtual files inside each area.
 */
import { describe, expect, it } from '@jest/globals';
import { ESLint } from 'eslint';

const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
  ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports',
});

async function importErrors(file: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${source}\nexport const used = [x];\n`, { filePath: file });
  return (result?.messages ?? []).map((m) => `${m.ruleId ?? 'parse'}: ${m.message}`);
}

const RULE = '@typescript-eslint/no-restricted-imports';

describe('the architecture rules: each forbidden import fails lint', () => {
  it.each([
    ['the core imports the engine', 'coordinator/core/x.ts', "import { Controller as x } from '../engine/controller.js';", 'The core is pure'],
    ['the core imports a Kubernetes adapter', 'coordinator/core/x.ts', "import { nodesApi as x } from '../kube/nodes.js';", 'The core is pure'],
    ['the core imports the gate', 'coordinator/core/preflight/x.ts', "import { createGateRouter as x } from '../../gate/index.js';", 'The core is pure'],
    ['the core imports an edge', 'coordinator/core/x.ts', "import { startCoordinator as x } from '../server.js';", 'The core is pure'],
    ['the core reads files', 'coordinator/core/x.ts', "import { readFile as x } from 'node:fs/promises';", 'The core does no I/O'],
    ['the core runs commands', 'coordinator/core/x.ts', "import { execa as x } from 'execa';", 'The core does no I/O'],
    ['the core calls Kubernetes', 'coordinator/core/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';", 'Kubernetes calls live in'],
    ['shared imports the coordinator', 'shared/x.ts', "import { Controller as x } from '../coordinator/engine/controller.js';", 'shared/ imports nothing of ours'],
    ['shared imports the agent', 'shared/x.ts', "import { runAgentLoop as x } from '../agent/loop/agent-loop.js';", 'shared/ imports nothing of ours'],
    ['the agent imports the coordinator', 'agent/loop/x.ts', "import { orderFor as x } from '../../coordinator/core/orders.js';", 'The agent never imports the coordinator'],
    ['the coordinator imports the agent', 'coordinator/engine/x.ts', "import { CHECK_SCRIPT as x } from '../../agent/checks/check-script.js';", 'The coordinator never imports the agent'],
    ['the coordinator imports the simulation', 'coordinator/engine/x.ts', "import { startApiServer as x } from '../../sim/apiserver/index.js';", 'never imports the simulation'],
    ['the agent imports a test', 'agent/orders/x.ts', "import { waitFor as x } from '../../test/support/wait-for.js';", 'never imports the simulation or the tests'],
    ['agent host code imports the Kubernetes client', 'agent/host/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';", 'Agent host code never talks to Kubernetes'],
    ['agent host code imports Kubernetes types', 'agent/host/iptables/x.ts', "import type { V1Pod as x } from '@kubernetes/client-node';", 'Agent host code never talks to Kubernetes'],
    ['agent host code imports an agent adapter', 'agent/host/x.ts', "import { kubeCheckPods as x } from '../kube/check-pod-api.js';", 'Agent host code never talks to Kubernetes'],
    ['the agent loop calls Kubernetes itself', 'agent/loop/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';", 'Kubernetes calls live in'],
    ['the engine calls Kubernetes itself', 'coordinator/engine/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';", 'Kubernetes calls live in'],
    ['the probe imports the coordinator', 'probe/x.ts', "import { classifyReport as x } from '../coordinator/core/probe/classify.js';", 'The probe imports only shared/'],
    ['the probe imports the agent', 'probe/x.ts', "import { runAgentLoop as x } from '../agent/loop/agent-loop.js';", 'The probe imports only shared/'],
    ['the probe imports the simulation', 'probe/x.ts', "import { startApiServer as x } from '../sim/apiserver/index.js';", 'never imports the simulation'],
    ['the probe calls Kubernetes', 'probe/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';", 'never talks to Kubernetes'],
  ])('when %s, then lint fails', async (_why, file, source, message) => {
    const errors = await importErrors(file, source);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(RULE);
    expect(errors[0]).toContain(message);
  });
});

describe('the architecture rules: what is allowed stays allowed', () => {
  it.each([
    ['the core uses Kubernetes types', 'coordinator/core/x.ts', "import type { V1Node as x } from '@kubernetes/client-node';"],
    ['the core imports shared', 'coordinator/core/x.ts', "import { isTerminal as x } from '../../shared/phases.js';"],
    ['the core imports the core', 'coordinator/core/x.ts', "import { decideRollout as x } from './rollout.js';"],
    ['a coordinator adapter calls Kubernetes', 'coordinator/kube/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';"],
    ['an agent adapter calls Kubernetes', 'agent/kube/x.ts', "import { CoreV1Api as x } from '@kubernetes/client-node';"],
    ['the engine uses the core and the adapters', 'coordinator/engine/x.ts', "import { nodesApi as x } from '../kube/nodes.js';"],
    ['agent host code runs commands', 'agent/host/x.ts', "import { execa as x } from 'execa';"],
    ['shared imports shared', 'shared/x.ts', "import { httpStatusOf as x } from './http-status.js';"],
    ['the probe imports shared', 'probe/x.ts', "import { PROBE_INTERVAL_MS as x } from '../shared/probe.js';"],
    ['the simulation imports the product', 'sim/demo/x.ts', "import { startCoordinator as x } from '../../coordinator/server.js';"],
  ])('when %s, then lint passes', async (_why, file, source) => {
    expect(await importErrors(file, source)).toEqual([]);
  });
});
