/**
 * The numerical derivative both gradient checks use (gradsheet's own rows and anyone's workbook): the five-point
 * central difference from the loss at w ± h and w ± 2h, error O(h⁴). The differences are taken first, so a loss
 * the weight does not touch gives exactly 0 rather than the rounding of −L + 8L − 8L + L.
 */
export function fivePointSlope(at: { [k in -2 | -1 | 1 | 2]: number }, h: number): number {
  return (8 * (at[1] - at[-1]) - (at[2] - at[-2])) / (12 * h);
}

/** |a − b| / max(|a|, |b|, floor); 0 when all three are 0. */
export function relativeError(a: number, b: number, floor = 0): number {
  const scale = Math.max(Math.abs(a), Math.abs(b), floor);
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}
