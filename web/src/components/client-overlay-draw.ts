/**
 * Draws the client overlay on the topology canvas, after the nodes: a small count badge by each
 * AP that has clients, and for each recent roam a fading arrow from the old AP to the new one
 * with a ring round the new one. Costs one fill per badge and a few strokes per roam; with no
 * clients it draws nothing, so large meshes without client data keep their frame time.
 *
 * @example
 * const animating = drawClientOverlay(ctx, overlay, (id) => where(id), performance.now());
 * if (animating) requestAnotherFrame();
 */
import { roamFade, type ClientOverlay } from '../lib/client-overlay.ts';

/** A node on screen: centre and drawn radius, in CSS pixels. */
export interface NodeOnScreen {
  x: number;
  y: number;
  r: number;
}

const BADGE_FILL = '#1f6feb';
const BADGE_TEXT = '#ffffff';
const ROAM_COLOUR = '255, 209, 102'; // amber, apart from every link colour
const BADGE_FONT = 'bold 10px system-ui, sans-serif';

/** The point `by` pixels from a node's centre towards (x, y): where a curve meets its disc. */
function towards(n: NodeOnScreen, x: number, y: number, by: number): { x: number; y: number } {
  const d = Math.hypot(x - n.x, y - n.y) || 1;
  return { x: n.x + ((x - n.x) / d) * by, y: n.y + ((y - n.y) / d) * by };
}

/** Draws; true while a roam is still fading (the caller asks for another frame). */
export function drawClientOverlay(
  ctx: CanvasRenderingContext2D,
  overlay: ClientOverlay,
  at: (id: string) => NodeOnScreen | null,
  now: number,
): boolean {
  let animating = false;
  for (const roam of overlay.roams) {
    const fade = roamFade(roam, now);
    if (fade >= 1) continue;
    const a = at(roam.from);
    const b = at(roam.to);
    if (!a || !b) continue;
    animating = true;
    const alpha = 1 - fade;
    ctx.strokeStyle = `rgba(${ROAM_COLOUR}, ${alpha})`;
    ctx.fillStyle = ctx.strokeStyle;
    ctx.lineWidth = 3;
    // A curve bowed to one side, so the arrow stands apart from the link between the two APs.
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len = Math.hypot(dx, dy) || 1;
    const bow = Math.min(60, Math.max(20, len * 0.2));
    const cx = (a.x + b.x) / 2 - (dy / len) * bow;
    const cy = (a.y + b.y) / 2 + (dx / len) * bow;
    const from = towards(a, cx, cy, a.r + 2);
    const to = towards(b, cx, cy, b.r + 4);
    ctx.beginPath();
    ctx.moveTo(from.x, from.y);
    ctx.quadraticCurveTo(cx, cy, to.x, to.y);
    ctx.stroke();
    // The head points along the curve's end: from the control point to the tip.
    const hl = Math.hypot(to.x - cx, to.y - cy) || 1;
    const ux = (to.x - cx) / hl;
    const uy = (to.y - cy) / hl;
    const head = 9;
    ctx.beginPath();
    ctx.moveTo(to.x, to.y);
    ctx.lineTo(to.x - ux * head - uy * head * 0.6, to.y - uy * head + ux * head * 0.6);
    ctx.lineTo(to.x - ux * head + uy * head * 0.6, to.y - uy * head - ux * head * 0.6);
    ctx.closePath();
    ctx.fill();
    // A ring that widens as it fades: the eye finds where the client went.
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(b.x, b.y, b.r + 4 + 10 * fade, 0, 2 * Math.PI);
    ctx.stroke();
  }
  if (overlay.counts.size > 0) {
    ctx.font = BADGE_FONT;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'center';
    for (const [id, count] of overlay.counts) {
      const n = at(id);
      if (!n) continue;
      const text = count > 99 ? '99+' : String(count);
      const w = Math.max(14, 6 + 6 * text.length);
      const bx = n.x + n.r * 0.7;
      const by = n.y - n.r * 0.7 - 6;
      ctx.fillStyle = BADGE_FILL;
      ctx.beginPath();
      ctx.roundRect(bx - w / 2, by - 7, w, 14, 7);
      ctx.fill();
      ctx.fillStyle = BADGE_TEXT;
      ctx.fillText(text, bx, by + 0.5);
    }
    ctx.textAlign = 'start';
  }
  return animating;
}
