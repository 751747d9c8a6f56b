import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The house's boundaries (ARCHITECTURE.md), one list per area. Each rule's message says which never it
 * breaks; test/architecture.test.ts lints a violating import in each area and expects the message.
 */
const never = {
  sim: { regex: '(^|/)(sim|test)/', message: 'Product code never imports the simulation or the tests.' },
  agentFromCoordinator: { regex: '(^|/)agent/', message: 'The coordinator never imports the agent: they share only shared/.' },
  coordinatorFromAgent: { regex: '(^|/)coordinator/', message: 'The agent never imports the coordinator: they share only shared/.' },
  probeFromOthers: { regex: '(^|/)(agent|coordinator)/', message: 'The probe imports only shared/: it is its own program.' },
  ours: { regex: '(^|/)(agent|coordinator|sim|test)/', message: 'shared/ imports nothing of ours.' },
  coreEdges: {
    regex: '(^|/)(engine|kube|gate)/|^\\.\\./(server|operator|cli|main|status-watch)\\.js$',
    message: 'The core is pure: it never imports the engine, the Kubernetes adapters, the gate or the edges.',
  },
  coreIo: {
    regex: '^(node:)?(fs|fs/promises|http|https|net|dgram|child_process|os|timers|timers/promises)$|^(execa|express|pino|prom-client)$',
    message: 'The core does no I/O: pass observations in, take decisions out.',
  },
  hostKube: { regex: '(^|/)kube/', message: 'Agent host code never talks to Kubernetes.' },
};
const kubeValues = {
  name: '@kubernetes/client-node',
  allowTypeImports: true,
  message: 'Kubernetes calls live in agent/kube/ or coordinator/kube/ (types are fine anywhere).',
};
const kubeAtAll = { name: '@kubernetes/client-node', message: 'Agent host code never talks to Kubernetes.' };
const kubeForProbe = { name: '@kubernetes/client-node', message: 'The probe never talks to Kubernetes: the coordinator answers it with its peers.' };
const restrict = (patterns, paths = []) => ({ '@typescript-eslint/no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', '**/*.cjs', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      complexity: ['error', 10],
      'max-depth': ['error', 3],
      'max-params': ['error', 4],
      'max-lines': ['warn', { max: 320, skipBlankLines: true, skipComments: true }],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only main reads the environment: pass config in.' },
        { object: 'process', property: 'exit', message: 'Only main exits.' },
      ],
    },
  },
  { files: ['shared/**/*.ts'], rules: restrict([never.ours], [kubeValues]) },
  { files: ['coordinator/**/*.ts'], rules: restrict([never.sim, never.agentFromCoordinator], [kubeValues]) },
  { files: ['coordinator/kube/**/*.ts'], rules: restrict([never.sim, never.agentFromCoordinator]) },
  { files: ['coordinator/core/**/*.ts'], rules: restrict([never.sim, never.agentFromCoordinator, never.coreEdges, never.coreIo], [kubeValues]) },
  { files: ['agent/**/*.ts'], rules: restrict([never.sim, never.coordinatorFromAgent], [kubeValues]) },
  { files: ['probe/**/*.ts'], rules: restrict([never.sim, never.probeFromOthers], [kubeForProbe]) },
  { files: ['agent/kube/**/*.ts'], rules: restrict([never.sim, never.coordinatorFromAgent]) },
  { files: ['agent/host/**/*.ts'], rules: restrict([never.sim, never.coordinatorFromAgent, never.hostKube], [kubeAtAll]) },
  {
    files: ['**/main.ts', 'test/**', 'sim/cli/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['test/**'],
    rules: {
      'max-lines': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
);
