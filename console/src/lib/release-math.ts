/**
 * Release math for the console, pure: the create wizard's form turned into a
 * Release object (as `graymesh release create` builds it), traffic splits,
 * the slider's keyboard steps, and per-version rows for the job list.
 */
import type { Browser, ContentMatch, OperatingSystem, Release, ReleaseSpec, ReleaseType } from '../api/types';
import { analysisOf, autoErrors, emptyAuto, type AutoForm } from './analysis';

export const OPERATING_SYSTEMS: { value: OperatingSystem; label: string }[] = [
  { value: 'windows', label: 'Windows' },
  { value: 'linux', label: 'Linux' },
  { value: 'macos', label: 'macOS' },
  { value: 'android', label: 'Android' },
  { value: 'ios', label: 'iOS' },
];
export const BROWSERS: { value: Browser; label: string }[] = [
  { value: 'chrome', label: 'Chrome' },
  { value: 'firefox', label: 'Firefox' },
  { value: 'safari', label: 'Safari' },
  { value: 'edge', label: 'Edge' },
];

/** How a canary splits traffic: KubeSphere's "Forward by traffic ratio" or "Forward by request content", or automatic steps with checks. */
export type CanaryStrategy = 'ratio' | 'content' | 'automatic';
export type MatchKind = 'exact' | 'regex';

/** Everything the create wizard collects. */
export interface ReleaseForm {
  type: ReleaseType;
  name: string;
  service: string;
  /** The version serving now. */
  principal: string;
  version: string;
  image: string;
  replicas: number;
  strategy: CanaryStrategy;
  /** Share of traffic for the new version, %. */
  newWeight: number;
  cookie: { enabled: boolean; kind: MatchKind; value: string };
  header: { enabled: boolean; name: string; kind: MatchKind; value: string };
  uri: { enabled: boolean; kind: 'prefix' | 'regex'; value: string };
  os: { enabled: boolean; values: OperatingSystem[] };
  browser: { enabled: boolean; values: Browser[] };
  /** Blue-green: the version serving 100%. */
  serve: string;
  /** Mirror: percent of traffic copied to the new version. */
  mirrorPercent: number;
  policy: 'WaitForWorkloadReady' | 'Immediately' | 'Paused';
  /** Automatic: the steps and checks (spec.analysis). */
  auto: AutoForm;
}

export function emptyForm(type: ReleaseType): ReleaseForm {
  return {
    type,
    name: '',
    service: '',
    principal: '',
    version: '',
    image: '',
    replicas: 1,
    strategy: 'ratio',
    newWeight: 50,
    cookie: { enabled: false, kind: 'exact', value: '' },
    header: { enabled: false, name: '', kind: 'exact', value: '' },
    uri: { enabled: false, kind: 'prefix', value: '' },
    os: { enabled: false, values: [] },
    browser: { enabled: false, values: [] },
    serve: '',
    mirrorPercent: 100,
    policy: 'WaitForWorkloadReady',
    auto: emptyAuto(),
  };
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** What is wrong with a DNS-1123 label, or undefined. */
export function nameError(field: string, v: string): string | undefined {
  if (!v) return `${field} is required`;
  if (v.length > 63) return `${field} must be at most 63 characters`;
  if (!DNS_LABEL.test(v)) return `${field} may hold lowercase letters, digits and '-', starting and ending with a letter or digit`;
  return undefined;
}

/** The new image as KubeSphere proposes it: the principal's image with its version swapped (…-reviews-v1:1.13.0 → …-reviews-v2:1.13.0). */
export function proposeImage(principalImage: string, principal: string, version: string): string {
  if (!principalImage || !principal || !version) return principalImage;
  const re = new RegExp(`(^|[^a-z0-9])${principal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[^a-z0-9]|$)`, 'g');
  return re.test(principalImage) ? principalImage.replace(re, `$1${version}`) : principalImage;
}

/** The version serving a service now: the only version that is not the new one. */
export function principalOf(versions: string[], newVersion: string): { principal?: string; error?: string } {
  const others = [...new Set(versions.filter((v) => v && v !== newVersion))];
  if (others.length === 1) return { principal: others[0]! };
  if (others.length === 0) return { error: 'this service has no running version to release from' };
  return { error: `this service runs versions ${others.join(', ')}; choose the one to release from` };
}

/** The errors of one wizard step (0 basic information, 1 service, 2 new version, 3 strategy). */
export function stepErrors(f: ReleaseForm, step: number): string[] {
  const errs: string[] = [];
  if (step === 0) {
    const e = nameError('Name', f.name);
    if (e) errs.push(e);
  }
  if (step === 1) {
    if (!f.service) errs.push('Choose the service to release');
    else if (!f.principal) errs.push('Choose the version serving now');
  }
  if (step === 2) {
    const e = nameError('Version', f.version);
    if (e) errs.push(e);
    else if (f.version === f.principal) errs.push(`Version ${f.version} is already serving; give the new version another name`);
    if (!f.image.trim()) errs.push('Image is required');
    if (!Number.isInteger(f.replicas) || f.replicas < 1 || f.replicas > 20) errs.push('Replicas must be a whole number from 1 to 20');
  }
  if (step === 3) {
    if (f.type === 'canary' && f.strategy === 'automatic') errs.push(...autoErrors(f.auto));
    if (f.type === 'canary' && f.strategy === 'ratio' && (f.newWeight < 0 || f.newWeight > 100)) errs.push('Traffic must be between 0% and 100%');
    if (f.type === 'canary' && f.strategy === 'content') {
      const any = f.cookie.enabled || f.header.enabled || f.uri.enabled || f.os.enabled || f.browser.enabled;
      if (!any) errs.push('Choose at least one condition: cookie, header, URI, operating system or browser');
      if (f.cookie.enabled && !f.cookie.value) errs.push('Cookie: give Key=Value or a regular expression');
      if (f.cookie.enabled && f.cookie.kind === 'exact' && f.cookie.value && !f.cookie.value.includes('=')) errs.push('Cookie: an exact match is Key=Value, e.g. user=tester');
      if (f.header.enabled) {
        const n = f.header.name.trim().toLowerCase();
        if (!n) errs.push('Header: give its name');
        else if (n === 'cookie' || n === 'user-agent') errs.push(`Header: ${n} has its own condition; choose another header`);
        if (!f.header.value) errs.push('Header: give a value');
      }
      if (f.uri.enabled && !f.uri.value) errs.push('URI: give a prefix or a regular expression');
      if (f.os.enabled && f.os.values.length === 0) errs.push('Operating system: choose at least one');
      if (f.browser.enabled && f.browser.values.length === 0) errs.push('Browser: choose at least one');
    }
    if (f.type === 'mirror' && (!Number.isFinite(f.mirrorPercent) || f.mirrorPercent < 1 || f.mirrorPercent > 100)) errs.push('Mirrored traffic must be between 1% and 100%');
  }
  return errs;
}

function contentMatch(f: ReleaseForm): ContentMatch {
  const m: ContentMatch = {};
  if (f.cookie.enabled) m.cookie = f.cookie.kind === 'regex' ? { regex: f.cookie.value } : { exact: f.cookie.value };
  if (f.header.enabled) m.header = f.header.kind === 'regex' ? { name: f.header.name.trim(), regex: f.header.value } : { name: f.header.name.trim(), exact: f.header.value };
  if (f.uri.enabled) m.uri = f.uri.kind === 'regex' ? { regex: f.uri.value } : { prefix: f.uri.value };
  if (f.os.enabled) m.os = [...f.os.values];
  if (f.browser.enabled) m.browser = [...f.browser.values];
  return m;
}

/** The Release object the wizard posts: the same spec `graymesh release create` builds. */
export function buildRelease(f: ReleaseForm): Pick<Release, 'apiVersion' | 'kind' | 'metadata'> & { spec: ReleaseSpec } {
  const routes: ReleaseSpec['routes'] = {};
  const automatic = f.type === 'canary' && f.strategy === 'automatic';
  if (f.type === 'canary' && !automatic) {
    if (f.strategy === 'ratio') routes.weights = splitWeights(f.principal, f.version, f.newWeight);
    else routes.match = contentMatch(f);
  }
  if (f.type === 'bluegreen') routes.serve = f.serve || f.version;
  if (f.type === 'mirror') routes.mirrorPercent = f.mirrorPercent;
  return {
    apiVersion: 'graymesh.dev/v1alpha1',
    kind: 'Release',
    metadata: { name: f.name },
    spec: {
      type: f.type,
      service: f.service,
      principal: f.principal,
      newVersion: { version: f.version, image: f.image.trim(), replicas: f.replicas },
      policy: f.policy,
      routes,
      ...(automatic ? { analysis: analysisOf(f.auto) } : {}),
    },
  };
}

/** The two weights of a canary, summing to 100. */
export function splitWeights(principal: string, version: string, newWeight: number): Record<string, number> {
  const w = clampPercent(newWeight);
  return { [principal]: 100 - w, [version]: w };
}

export function clampPercent(v: number): number {
  return Number.isFinite(v) ? Math.min(100, Math.max(0, Math.round(v))) : 0;
}

/** The slider's value after a key: arrows ±1, Page Up/Down ±10, Home 0, End 100 (WAI-ARIA slider pattern); undefined for other keys. */
export function sliderKey(value: number, key: string): number | undefined {
  switch (key) {
    case 'ArrowLeft':
    case 'ArrowDown':
      return clampPercent(value - 1);
    case 'ArrowRight':
    case 'ArrowUp':
      return clampPercent(value + 1);
    case 'PageDown':
      return clampPercent(value - 10);
    case 'PageUp':
      return clampPercent(value + 10);
    case 'Home':
      return 0;
    case 'End':
      return 100;
    default:
      return undefined;
  }
}

/** Live numbers of one workload, from the traffic graph. */
export interface WorkloadTraffic {
  rps?: number;
  successRate?: number;
  p95?: number;
}

/** One version's row in the job list or status view. */
export interface VersionRow {
  version: string;
  workload: string;
  /** Effective share of traffic, %. */
  weight: number;
  replicas: number;
  readyReplicas: number;
  /** Whether it takes all traffic (take over / roll back). */
  governor: boolean;
  /** The version serving before the release. */
  principal: boolean;
  traffic: WorkloadTraffic;
}

/** The versions of a release with their live traffic (by workload name). */
export function versionRows(r: Release, traffic: ReadonlyMap<string, WorkloadTraffic>): VersionRow[] {
  const spec = r.spec;
  const st = r.status;
  const listed = st?.versions ?? [];
  const rows: VersionRow[] = listed.map((v) => ({
    version: v.version,
    workload: v.workload,
    weight: v.weight,
    replicas: v.replicas,
    readyReplicas: v.readyReplicas,
    governor: !!st?.governor && st.governor === v.version,
    principal: v.version === spec?.principal,
    traffic: traffic.get(v.workload) ?? {},
  }));
  if (rows.length === 0 && spec) {
    // Before the controller reports, show the two versions the spec names.
    for (const [version, principal] of [
      [spec.principal, true],
      [spec.newVersion.version, false],
    ] as const) {
      const workload = `${spec.service}-${version}`;
      rows.push({ version, workload, weight: 0, replicas: 0, readyReplicas: 0, governor: false, principal, traffic: traffic.get(workload) ?? {} });
    }
  }
  return rows.sort((a, b) => Number(b.principal) - Number(a.principal) || a.version.localeCompare(b.version));
}

/** A one-line account of how a release routes: "v1 50% · v2 50%", "v2 takes all traffic", … */
export function describeRouting(r: Release): string {
  const s = r.spec;
  if (!s) return '';
  const gov = r.status?.governor ?? s.governor;
  if (gov) return `${gov} takes all traffic`;
  if (s.type === 'bluegreen') return `${s.routes.serve ?? s.newVersion.version} serves all traffic`;
  if (s.type === 'mirror') return `${s.principal} serves; ${s.routes.mirrorPercent ?? 100}% copied to ${s.newVersion.version}`;
  if (s.routes.weights) return Object.entries(s.routes.weights).map(([v, w]) => `${v} ${w}%`).join(' · ');
  if (s.routes.match) return `${s.newVersion.version} serves requests matching: ${describeMatch(s.routes.match)}`;
  return '';
}

export function describeMatch(m: ContentMatch): string {
  const parts: string[] = [];
  if (m.cookie) parts.push(`cookie ${m.cookie.exact ?? `~ ${m.cookie.regex}`}`);
  if (m.header) parts.push(`header ${m.header.name} ${m.header.exact !== undefined ? `= ${m.header.exact}` : `~ ${m.header.regex}`}`);
  if (m.uri) parts.push(m.uri.prefix !== undefined ? `URI starts with ${m.uri.prefix}` : `URI ~ ${m.uri.regex}`);
  if (m.os?.length) parts.push(`OS ${m.os.join(', ')}`);
  if (m.browser?.length) parts.push(`browser ${m.browser.join(', ')}`);
  return parts.join('; ');
}
