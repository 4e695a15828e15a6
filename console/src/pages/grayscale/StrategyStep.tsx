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
          </fieldset>
          {f.strategy === 'ratio' ? (
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
