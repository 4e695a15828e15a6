/** apps/v1 Deployment: one version of one service. Rules after Kubernetes' apps validation. */
import { at, item, type Report } from '../issues.js';
import { addRequiredHints } from '../schema/schema.js';
import { list, num, rec, str, stringMap } from '../values.js';
import { checkPodSpec } from './pod.js';

addRequiredHints({
  'DeploymentSpec.selector': 'add selector.matchLabels with the labels of the pod template, e.g. app: reviews and version: v1',
  'DeploymentSpec.template': 'add the pod template: metadata.labels and spec.containers',
  'LabelSelectorRequirement.key': 'name the label to test, e.g. app',
  'LabelSelectorRequirement.operator': 'add one of In, NotIn, Exists, DoesNotExist',
});

const OPERATORS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** Whether a label selector (matchLabels and matchExpressions) selects `labels`. */
function selects(selector: Record<string, unknown>, labels: Map<string, string>): boolean {
  for (const [k, v] of stringMap(selector.matchLabels)) if (labels.get(k) !== v) return false;
  for (const e of list(selector.matchExpressions)) {
    const expr = rec(e);
    const key = str(expr?.key) ?? '';
    const values = list(expr?.values).filter((v): v is string => typeof v === 'string');
    const value = labels.get(key);
    const ok =
      expr?.operator === 'In' ? value !== undefined && values.includes(value)
      : expr?.operator === 'NotIn' ? value === undefined || !values.includes(value)
      : expr?.operator === 'Exists' ? value !== undefined
      : expr?.operator === 'DoesNotExist' ? value === undefined
      : true;
    if (!ok) return false;
  }
  return true;
}

export function checkDeployment(obj: Record<string, unknown>, r: Report): void {
  const spec = rec(obj.spec);
  if (spec === undefined) return;
  const replicas = num(spec.replicas);
  if (replicas !== undefined && replicas < 0) r.error('spec.replicas', `${replicas} is negative; use 0 or more`);

  const selector = rec(spec.selector);
  const template = rec(spec.template);
  const templateLabels = new Map(stringMap(rec(template?.metadata)?.labels));
  if (selector !== undefined) {
    list(selector.matchExpressions).forEach((e, i) => {
      const expr = rec(e);
      const path = item('spec.selector.matchExpressions', i);
      const op = str(expr?.operator);
      if (op === undefined) return;
      if (!OPERATORS.includes(op)) r.error(at(path, 'operator'), `unsupported operator "${op}"; use one of ${OPERATORS.join(', ')}`);
      const n = list(expr?.values).length;
      if ((op === 'In' || op === 'NotIn') && n === 0) r.error(at(path, 'values'), `required for ${op}; list the label values to match`);
      if ((op === 'Exists' || op === 'DoesNotExist') && n > 0) r.error(at(path, 'values'), `must be empty for ${op}; remove the values`);
    });
    const matchLabels = stringMap(selector.matchLabels);
    if (matchLabels.length === 0 && list(selector.matchExpressions).length === 0) {
      r.error('spec.selector', 'empty selector; add matchLabels with the labels of the pod template, e.g. app: reviews and version: v1');
    } else if (template !== undefined && !selects(selector, templateLabels)) {
      const missing = matchLabels.filter(([k, v]) => templateLabels.get(k) !== v).map(([k, v]) => `${k}: ${v}`);
      r.error(
        'spec.template.metadata.labels',
        missing.length > 0
          ? `do not match spec.selector; add ${missing.join(' and ')} to the template's labels`
          : 'do not match spec.selector.matchExpressions; make the template\'s labels satisfy the selector',
      );
    }
  }

  const strategy = rec(spec.strategy);
  if (strategy?.type === 'Recreate' && strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
    r.error('spec.strategy.rollingUpdate', 'not allowed with type Recreate; remove it, or use type RollingUpdate');
  }

  const podSpec = rec(template?.spec);
  if (template !== undefined && podSpec === undefined && template.spec === undefined) {
    r.error('spec.template.spec', 'required; add the pod spec with its containers');
  }
  if (podSpec === undefined) return;
  const restart = str(podSpec.restartPolicy);
  if (restart !== undefined && restart !== 'Always') {
    r.error('spec.template.spec.restartPolicy', `"${restart}" is not allowed in a Deployment; use Always, or remove it`);
  }
  checkPodSpec(podSpec, 'spec.template.spec', r);
}
