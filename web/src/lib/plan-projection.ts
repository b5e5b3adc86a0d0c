/**
 * Fits plain (x, y) node coordinates into a drawing box with a margin, keeping the aspect ratio
 * and turning y upwards (plan coordinates) into y downwards (screen). No map tiles: the site is
 * drawn on its own coordinates.
 *
 * @example
 * const p = planProjection([{ x: 0, y: 0 }, { x: 100, y: 50 }], 800, 400, 20);
 * p({ x: 100, y: 50 }); // { x: 760, y: 20 } (centred: height limits the scale)
 */

export interface Point {
  x: number;
  y: number;
}

export function planProjection(
  points: readonly Point[],
  width: number,
  height: number,
  margin: number,
): (p: Point) => Point {
  if (points.length === 0) return () => ({ x: width / 2, y: height / 2 });
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  const minX = Math.min(...xs);
  const minY = Math.min(...ys);
  const spanX = Math.max(...xs) - minX || 1;
  const spanY = Math.max(...ys) - minY || 1;
  const scale = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const offX = (width - spanX * scale) / 2;
  const offY = (height - spanY * scale) / 2;
  return (p) => ({ x: offX + (p.x - minX) * scale, y: height - (offY + (p.y - minY) * scale) });
}
