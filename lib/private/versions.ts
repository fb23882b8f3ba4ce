/** Minor version of a `1.N` string; NaN when it is not one. */
export function minorOf(version: string): number {
  const m = /^1\.(\d+)$/.exec(version);
  return m ? Number(m[1]) : NaN;
}

/** Distance in minor versions between two `1.N` versions; NaN when either is malformed. */
export function minorSkew(a: string, b: string): number {
  return Math.abs(minorOf(a) - minorOf(b));
}
