/** A stable colour per service name, so a service looks the same in every trace. */
const PALETTE = ['#329dce', '#55bc8a', '#f5a623', '#ab2f9a', '#3e83c9', '#d8572f', '#6c5fc7', '#2f9e8f', '#c7a000', '#8a6d3b'];

export function serviceColor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length]!;
}
