/** The wizard's last step: how traffic is split, per mode. */
import type { ReleaseForm } from '../../lib/release-math';
import { BROWSERS, OPERATING_SYSTEMS } from '../../lib/release-math';
import { TrafficSlider } from '../../components/TrafficSlider';

interface Props {
  form: ReleaseForm;
  onChange: (f: ReleaseForm) => void;
}

export function StrategyStep({ form: f, onChange }: Props) {
  const set = (patch: Partial<ReleaseForm>): void => onChange({ ...f, ...patch });
  return (
    <div className="form">
      {f.type === 'canary' ? (
        <>
          <fieldset className="radio-cards">
            <legend>Release strategy</legend>
            <label className={`radio-card${f.strategy === 'ratio' ? ' is-checked' : ''}`}>
              <input type="radio" name="strategy" checked={f.strategy === 'ratio'} onChange={() => set({ strategy: 'ratio' })} data-testid="strategy-ratio" />
              <span>
                <strong>Forward by traffic ratio</strong>
                <small>A percentage of all requests goes to {f.version || 'the new version'}.</small>
              </span>
            </label>
            <label className={`radio-card${f.strategy === 'content' ? ' is-checked' : ''}`}>
              <input type="radio" name="strategy" checked={f.strategy === 'content'} onChange={() => set({ strategy: 'content' })} data-testid="strategy-content" />
              <span>
                <strong>Forward by request content</strong>
                <small>Requests matching every condition go to {f.version || 'the new version'}; the rest to {f.principal}.</small>
              </span>
            </label>
            <label className={`radio-card${f.strategy === 'automatic' ? ' is-checked' : ''}`}>
              <input type="radio" name="strategy" checked={f.strategy === 'automatic'} onChange={() => set({ strategy: 'automatic' })} data-testid="strategy-automatic" />
              <span>
                <strong>Automatic</strong>
                <small>{f.version || 'The new version'} gets more traffic step by step while its checks pass, and is rolled back by itself when they fail.</small>
              </span>
            </label>
          </fieldset>
          {f.strategy === 'automatic' ? (
            <AutomaticSettings form={f} set={set} />
          ) : f.strategy === 'ratio' ? (
            <div className="field">
              <span>Traffic ratio</span>
              <TrafficSlider left={f.principal} right={f.version} value={f.newWeight} onChange={(v) => set({ newWeight: v })} testId="traffic-slider" />
              <small>Drag the handle, or focus it and use the arrow keys.</small>
            </div>
          ) : (
            <ContentConditions form={f} set={set} />
          )}
        </>
      ) : null}
      {f.type === 'bluegreen' ? (
        <fieldset className="radio-cards">
          <legend>Version serving all traffic</legend>
          {[f.principal, f.version].map((v) => (
            <label key={v} className={`radio-card${(f.serve || f.version) === v ? ' is-checked' : ''}`}>
              <input type="radio" name="serve" checked={(f.serve || f.version) === v} onChange={() => set({ serve: v })} data-testid={`serve-${v}`} />
              <span>
                <strong>{v}</strong>
                <small>{v === f.principal ? 'Keep the old version serving; switch later.' : 'Switch all traffic to the new version once it is ready.'}</small>
              </span>
            </label>
          ))}
        </fieldset>
      ) : null}
      {f.type === 'mirror' ? (
        <label className="field">
          <span>Traffic mirrored to {f.version}: {f.mirrorPercent}%</span>
          <input
            type="range"
            min={1}
            max={100}
            value={f.mirrorPercent}
            onChange={(e) => set({ mirrorPercent: Number(e.target.value) })}
            data-testid="mirror-percent"
            aria-valuetext={`${f.mirrorPercent}%`}
          />
          <small>{f.principal} keeps serving every request; this share is copied to {f.version} and its answers are discarded.</small>
        </label>
      ) : null}
      <label className="field">
        <span>When to route traffic</span>
        <select value={f.policy} onChange={(e) => set({ policy: e.target.value as ReleaseForm['policy'] })} data-testid="release-policy">
          <option value="WaitForWorkloadReady">Once the new version is ready (recommended)</option>
          <option value="Immediately">Immediately</option>
          <option value="Paused">Not yet (paused)</option>
        </select>
      </label>
    </div>
  );
}

function AutomaticSettings({ form: f, set }: { form: ReleaseForm; set: (p: Partial<ReleaseForm>) => void }) {
  const a = f.auto;
  const put = (patch: Partial<ReleaseForm['auto']>): void => set({ auto: { ...a, ...patch } });
  return (
    <fieldset className="conditions">
      <legend>Steps and checks</legend>
      <label className="field">
        <span>Weights of {f.version || 'the new version'}, in turn (%)</span>
        <input value={a.steps} onChange={(e) => put({ steps: e.target.value })} placeholder="10,25,50" data-testid="auto-steps" />
        <small>At each weight the checks must pass before the next; after the last, {f.version || 'the new version'} takes all traffic.</small>
      </label>
      <label className="field">
        <span>Check every</span>
        <input value={a.interval} onChange={(e) => put({ interval: e.target.value })} placeholder="30s" data-testid="auto-interval" />
      </label>
      <label className="field">
        <span>Minimum success rate (%)</span>
        <input type="number" min={0} max={100} step={0.1} value={a.minSuccessRate} onChange={(e) => put({ minSuccessRate: Number(e.target.value) })} data-testid="auto-success" />
      </label>
      <label className="field">
        <span>Maximum p99 latency (ms)</span>
        <input type="number" min={1} value={a.maxP99} onChange={(e) => put({ maxP99: Number(e.target.value) })} data-testid="auto-p99" />
      </label>
      <label className="field">
        <span>Minimum requests per check</span>
        <input type="number" min={0} value={a.minRequests} onChange={(e) => put({ minRequests: Number(e.target.value) })} data-testid="auto-min-requests" />
        <small>A check with fewer requests to {f.version || 'the new version'} is inconclusive, never a pass.</small>
      </label>
    </fieldset>
  );
}

function ContentConditions({ form: f, set }: { form: ReleaseForm; set: (p: Partial<ReleaseForm>) => void }) {
  const toggle = <T extends string>(list: T[], v: T): T[] => (list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  return (
    <fieldset className="conditions">
      <legend>Requests go to {f.version || 'the new version'} when they match all checked conditions</legend>
      <div className="condition">
        <label className="check">
          <input type="checkbox" checked={f.cookie.enabled} onChange={(e) => set({ cookie: { ...f.cookie, enabled: e.target.checked } })} data-testid="cond-cookie" />
          Cookie
        </label>
        <select aria-label="Cookie match" value={f.cookie.kind} disabled={!f.cookie.enabled} onChange={(e) => set({ cookie: { ...f.cookie, kind: e.target.value as 'exact' } })}>
          <option value="exact">Exact</option>
          <option value="regex">Regex</option>
        </select>
        <input aria-label="Cookie" placeholder="user=tester" value={f.cookie.value} disabled={!f.cookie.enabled} onChange={(e) => set({ cookie: { ...f.cookie, value: e.target.value } })} />
      </div>
      <div className="condition condition-4">
        <label className="check">
          <input type="checkbox" checked={f.header.enabled} onChange={(e) => set({ header: { ...f.header, enabled: e.target.checked } })} data-testid="cond-header" />
          Header
        </label>
        <input aria-label="Header name" placeholder="x-canary" value={f.header.name} disabled={!f.header.enabled} onChange={(e) => set({ header: { ...f.header, name: e.target.value } })} />
        <select aria-label="Header match" value={f.header.kind} disabled={!f.header.enabled} onChange={(e) => set({ header: { ...f.header, kind: e.target.value as 'exact' } })}>
          <option value="exact">Exact</option>
          <option value="regex">Regex</option>
        </select>
        <input aria-label="Header value" placeholder="true" value={f.header.value} disabled={!f.header.enabled} onChange={(e) => set({ header: { ...f.header, value: e.target.value } })} />
      </div>
      <div className="condition">
        <label className="check">
          <input type="checkbox" checked={f.uri.enabled} onChange={(e) => set({ uri: { ...f.uri, enabled: e.target.checked } })} data-testid="cond-uri" />
          URI
        </label>
        <select aria-label="URI match" value={f.uri.kind} disabled={!f.uri.enabled} onChange={(e) => set({ uri: { ...f.uri, kind: e.target.value as 'prefix' } })}>
          <option value="prefix">Prefix</option>
          <option value="regex">Regex</option>
        </select>
        <input aria-label="URI" placeholder="/productpage" value={f.uri.value} disabled={!f.uri.enabled} onChange={(e) => set({ uri: { ...f.uri, value: e.target.value } })} />
      </div>
      <div className="condition">
        <label className="check">
          <input type="checkbox" checked={f.os.enabled} onChange={(e) => set({ os: { ...f.os, enabled: e.target.checked } })} data-testid="cond-os" />
          Operating system
        </label>
        <div className="chips" role="group" aria-label="Operating systems">
          {OPERATING_SYSTEMS.map((o) => (
            <label key={o.value} className="chip-check">
              <input type="checkbox" disabled={!f.os.enabled} checked={f.os.values.includes(o.value)} onChange={() => set({ os: { ...f.os, values: toggle(f.os.values, o.value) } })} />
              {o.label}
            </label>
          ))}
        </div>
      </div>
      <div className="condition">
        <label className="check">
          <input type="checkbox" checked={f.browser.enabled} onChange={(e) => set({ browser: { ...f.browser, enabled: e.target.checked } })} data-testid="cond-browser" />
          Browser
        </label>
        <div className="chips" role="group" aria-label="Browsers">
          {BROWSERS.map((b) => (
            <label key={b.value} className="chip-check">
              <input
                type="checkbox"
                disabled={!f.browser.enabled}
                checked={f.browser.values.includes(b.value)}
                onChange={() => set({ browser: { ...f.browser, values: toggle(f.browser.values, b.value) } })}
              />
              {b.label}
            </label>
          ))}
        </div>
      </div>
    </fieldset>
  );
}
