/**
 * `/status/{codes}` parsing as httpbin.org does it: one code, or a comma list of
 * `code[:weight]` from which one is drawn at random (weights default to 1), so a
 * caller can ask for "503 a third of the time" to exercise retries.
 */

/** One choice of a weighted list. */
export interface WeightedCode {
  /** Status code, 200–599. */
  code: number;
  /** Relative weight, > 0. */
  weight: number;
}

/** Parses `503`, `200,503` or `200:0.7,503:0.3`; undefined when anything is invalid. */
export function parseStatusCodes(spec: string): WeightedCode[] | undefined {
  const choices: WeightedCode[] = [];
  for (const part of spec.split(',')) {
    const [codeText = '', weightText] = part.trim().split(':');
    if (!/^\d{3}$/.test(codeText)) return undefined;
    const code = Number(codeText);
    // 1xx are interim responses and cannot end an exchange.
    if (code < 200 || code > 599) return undefined;
    const weight = weightText === undefined ? 1 : Number(weightText);
    if (!Number.isFinite(weight) || weight <= 0) return undefined;
    choices.push({ code, weight });
  }
  return choices.length > 0 ? choices : undefined;
}

/** Draws a code in proportion to the weights; `random` returns [0, 1). */
export function pickStatusCode(choices: readonly WeightedCode[], random: () => number = Math.random): number {
  const total = choices.reduce((sum, c) => sum + c.weight, 0);
  let point = random() * total;
  for (const choice of choices) {
    point -= choice.weight;
    if (point < 0) return choice.code;
  }
  return choices.at(-1)?.code ?? 200;
}
