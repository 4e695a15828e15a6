/** The three release modes with KubeSphere's descriptions, in plainer words. */
import type { ReleaseType } from '../../api/types';

export const MODES: { type: ReleaseType; title: string; summary: string; description: string }[] = [
  {
    type: 'bluegreen',
    title: 'Blue-green Deployment',
    summary: 'Both versions run; one serves all traffic.',
    description:
      'The new version is deployed beside the old one, which keeps serving. When the new version is ready you switch all traffic to it at once, and can switch back just as fast: zero downtime, and an instant way back.',
  },
  {
    type: 'canary',
    title: 'Canary Release',
    summary: 'Send part of the traffic to the new version.',
    description:
      'The new version gets a share of the real traffic — a percentage, or the requests that match a cookie, a header, a URI, an operating system or a browser — while the old version serves the rest. Watch its success rate and latency, then raise its share or let it take over.',
  },
  {
    type: 'mirror',
    title: 'Traffic Mirroring',
    summary: 'Copy live traffic to the new version; users see only the old one.',
    description:
      'The old version keeps serving every request. A copy of the traffic (all of it, or a percentage) is sent to the new version and its answers are thrown away, so you can test it with real requests without affecting anyone.',
  },
];

export function modeTitle(t: ReleaseType | undefined): string {
  return MODES.find((m) => m.type === t)?.title ?? t ?? '';
}
