/**
 * The JSONPath subset CRD printer columns use: `.field`, `['field']`, `[N]`, `[*]` and a filter
 * `[?(@.a.b=="v")]` (`==` or `!=`). Returns every match in order; nothing found is an empty list.
 */
import { isObj } from './json.js';

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'all' } | { kind: 'filter'; path: Step[]; negate: boolean; value: string };

const FIELD = /^\.([A-Za-z0-9_$-]+)/;
const QUOTED = /^\[\s*['"]([^'"]*)['"]\s*\]/;
const INDEX = /^\[\s*(-?\d+)\s*\]/;
const ALL = /^\[\s*\*\s*\]|^\.\*/;
const FILTER = /^\[\s*\?\(\s*@((?:\.[A-Za-z0-9_$-]+)+)\s*(==|!=)\s*(?:"([^"]*)"|'([^']*)'|([^\s)]+))\s*\)\s*\]/;

export class JsonPathError extends Error {}

const MATCHERS: [RegExp, (m: RegExpExecArray) => Step][] = [
  [ALL, () => ({ kind: 'all' })],
  [FILTER, (m) => ({ kind: 'filter', path: parseJsonPath(m[1] ?? ''), negate: m[2] === '!=', value: m[3] ?? m[4] ?? m[5] ?? '' })],
  [FIELD, (m) => ({ kind: 'field', name: m[1] ?? '' })],
  [QUOTED, (m) => ({ kind: 'field', name: m[1] ?? '' })],
  [INDEX, (m) => ({ kind: 'index', index: Number(m[1]) })],
];

function nextStep(rest: string): { step: Step; length: number } {
  for (const [re, make] of MATCHERS) {
    const m = re.exec(rest);
    if (m) return { step: make(m), length: m[0].length };
  }
  throw new JsonPathError(`unrecognized JSONPath at ${JSON.stringify(rest)}`);
}

export function parseJsonPath(expr: string): Step[] {
  let rest = expr.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  const steps: Step[] = [];
  while (rest !== '') {
    const { step, length } = nextStep(rest);
    steps.push(step);
    rest = rest.slice(length);
  }
  return steps;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));

function matchesFilter(step: Extract<Step, { kind: 'filter' }>, item: unknown): boolean {
  const found = evaluate(step.path, item);
  if (found.length === 0) return false;
  return (text(found[0]) === step.value) !== step.negate;
}

function atIndex(v: unknown, index: number): unknown[] {
  if (!Array.isArray(v)) return [];
  const item: unknown = v[index < 0 ? v.length + index : index];
  return item === undefined ? [] : [item];
}

function apply(step: Step, v: unknown): unknown[] {
  if (step.kind === 'field') return isObj(v) && v[step.name] !== undefined ? [v[step.name]] : [];
  if (step.kind === 'index') return atIndex(v, step.index);
  if (step.kind === 'all') return Array.isArray(v) ? v : isObj(v) ? Object.values(v) : [];
  return Array.isArray(v) ? v.filter((item) => matchesFilter(step, item)) : [];
}

export function evaluate(steps: Step[], root: unknown): unknown[] {
  let current: unknown[] = [root];
  for (const step of steps) current = current.flatMap((v) => apply(step, v));
  return current;
}
