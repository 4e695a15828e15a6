/** Container image references, as a cluster names them. */

/** Splits `docker.io/istio/examples-bookinfo-reviews-v2:1.20.1@sha256:...` into owner and repository. */
export function parseImage(image: string): { owner: string | undefined; repo: string; tag: string | undefined } {
  let ref = image.trim();
  const at = ref.indexOf('@');
  if (at >= 0) ref = ref.slice(0, at);
  const parts = ref.split('/');
  let last = parts.pop() ?? '';
  let tag: string | undefined;
  const colon = last.indexOf(':');
  if (colon >= 0) {
    tag = last.slice(colon + 1);
    last = last.slice(0, colon);
  }
  return { owner: parts.at(-1), repo: last, tag };
}
