/**
 * The images a container names locally, as a cluster pulls them. The local image catalog runs
 * Bookinfo for any `kubesphere/` or `istio/examples-bookinfo-*` tag; a cluster needs an image that
 * exists, so these become Istio's own Bookinfo images at the tag Istio's samples use
 * (samples/bookinfo/platform/kube/bookinfo.yaml: docker.io/istio/examples-bookinfo-*-v*:1.20.3).
 */
import { parseImage } from '../images.js';

/** The tag of Istio's Bookinfo images that exported manifests use. */
export const ISTIO_BOOKINFO_TAG = '1.20.3';

const BOOKINFO_REPO = /^examples-bookinfo-(productpage|details|ratings|reviews)-v\d+$/;
const BOOKINFO_OWNERS = new Set(['kubesphere', 'istio']);

/** What a local image becomes on a cluster, and why when it cannot run there as it is. */
export interface ClusterImage {
  image: string;
  /** Set when the image only exists in graymesh's local catalog. */
  warning?: string;
}

/** `kubesphere/examples-bookinfo-reviews-v2:1.13.0` → `docker.io/istio/examples-bookinfo-reviews-v2:1.20.3`. */
export function clusterImage(image: string): ClusterImage {
  const { owner, repo } = parseImage(image);
  if (owner !== undefined && BOOKINFO_OWNERS.has(owner) && BOOKINFO_REPO.test(repo)) {
    return { image: `docker.io/istio/${repo}:${ISTIO_BOOKINFO_TAG}` };
  }
  if (owner === 'graymesh') {
    return { image, warning: `image ${image} is graymesh's built-in test workload, which no registry serves; use a published image (for httpbin, docker.io/mccutchen/go-httpbin)` };
  }
  return { image };
}

/** True for a Bookinfo image the local catalog runs (so a local `command` beside it is not needed on a cluster). */
export function isBookinfoImage(image: string): boolean {
  const { owner, repo } = parseImage(image);
  return owner !== undefined && BOOKINFO_OWNERS.has(owner) && BOOKINFO_REPO.test(repo);
}
