/** The samples `graymesh deploy` (POST /api/v1/projects/:project/samples/:name) knows, by name. */
import type { KubeObject } from '../../api/objects.js';
import { bookinfoManifests } from './bookinfo.js';
import { greeterManifests } from './grpc-greeter.js';
import { tcpEchoManifests } from './tcp-echo.js';

/** A sample's manifests for a project; allVersions adds the versions a release would bring. */
export type SampleManifests = (ns: string, allVersions: boolean) => KubeObject[];

export const SAMPLES: Readonly<Record<string, SampleManifests>> = {
  bookinfo: bookinfoManifests,
  'grpc-greeter': greeterManifests,
  'tcp-echo': tcpEchoManifests,
};

/** The sample's manifests, or undefined for a name no sample has. */
export function sampleManifests(name: string, ns: string, allVersions: boolean): KubeObject[] | undefined {
  return Object.hasOwn(SAMPLES, name) ? SAMPLES[name]?.(ns, allVersions) : undefined;
}

/** The sample names, for help and errors. */
export const SAMPLE_NAMES = Object.keys(SAMPLES);
