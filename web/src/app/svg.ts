// The leverage gauge and the NAV-per-token-vs-ETH chart, drawn as SVG strings (numbers only are
// interpolated).

export interface Band {
  lowBps: number;
  highBps: number;
  targetBps: number;
  emergencyBps: number;
}

const f = (n: number) => n.toFixed(2);

/** A half-dial from 1x to past the emergency threshold: the band green, outside it amber, at or
 * above the emergency threshold red; the needle at `leverageBps` (none when unknown). */
export function gaugeSvg(leverageBps: number | null, band: Band): string {
  // From 1x below the band to 1x above the emergency threshold (wider when leverage is outside).
  const min = Math.max(10_000, Math.min(band.lowBps - 10_000, (leverageBps ?? Infinity) - 2_000));
  const max = Math.max(band.emergencyBps + 10_000, (leverageBps ?? 0) + 2_000);
  const cx = 150;
  const cy = 140;
  const r = 110;
  const angle = (bps: number) => Math.PI * (1 - (Math.min(Math.max(bps, min), max) - min) / (max - min));
  const point = (bps: number, radius = r) => [cx + radius * Math.cos(angle(bps)), cy - radius * Math.sin(angle(bps))];
  const arc = (from: number, to: number, color: string) => {
    const [x1, y1] = point(from);
    const [x2, y2] = point(to);
    return `<path d="M${f(x1)} ${f(y1)} A${r} ${r} 0 0 1 ${f(x2)} ${f(y2)}" stroke="${color}" stroke-width="18" fill="none"/>`;
  };
  // Labels outside the dial, the target's inside (the band is narrow).
  const tick = (bps: number, label: string, inside = false) => {
    const [x1, y1] = point(bps, r - 14);
    const [x2, y2] = point(bps, r + 14);
    const [tx, ty] = point(bps, inside ? r - 30 : r + 24);
    return `<line x1="${f(x1)}" y1="${f(y1)}" x2="${f(x2)}" y2="${f(y2)}" stroke="#cfd8dc" stroke-width="2"/>` +
      `<text x="${f(tx)}" y="${f(ty)}" text-anchor="middle" class="tick">${label}</text>`;
  };
  const x = (bps: number) => `${(bps / 10_000).toFixed(2)}x`;
  let needle = '';
  if (leverageBps !== null) {
    const [nx, ny] = point(leverageBps, r - 22);
    needle = `<line x1="${cx}" y1="${cy}" x2="${f(nx)}" y2="${f(ny)}" stroke="#fff" stroke-width="4" stroke-linecap="round" data-testid="gauge-needle"/>` +
      `<circle cx="${cx}" cy="${cy}" r="7" fill="#fff"/>`;
  }
  return `<svg viewBox="-10 -10 320 170" class="gauge" role="img" aria-label="leverage against the band">` +
    arc(min, band.lowBps, '#ffb300') +
    arc(band.lowBps, band.highBps, '#00c853') +
    arc(band.highBps, band.emergencyBps, '#ffb300') +
    arc(band.emergencyBps, max, '#e53935') +
    tick(band.lowBps, x(band.lowBps)) +
    tick(band.targetBps, '', true) +
    tick(band.highBps, x(band.highBps)) +
    tick(band.emergencyBps, x(band.emergencyBps)) +
    needle +
    `</svg>`;
}

export interface ChartPoint {
  /** Unix seconds. */
  time: number;
  ethUsd: number;
  /** NAV per whole token, USD; `null` where unknown. */
  navPerTokenUsd: number | null;
  /** `Minted`, `Redeemed`, `Rebalanced`, `SettleStep` for events; `live` for the program's `nav`
   * read by this page. */
  kind: string;
}

const COLORS = { eth: '#8c9eff', nav: '#00e676' };

/**
 * Both series indexed to 100 at their first point (so 3x shows as three times ETH's move), over
 * time; event points as markers, live readings as the line.
 */
export function chartSvg(points: ReadonlyArray<ChartPoint>): string {
  const w = 640;
  const h = 240;
  const pad = { l: 44, r: 12, t: 12, b: 28 };
  const pts = [...points].sort((a, b) => a.time - b.time);
  if (pts.length === 0) {
    return `<svg viewBox="0 0 ${w} ${h}" class="chart" data-points="0"><text x="${w / 2}" y="${h / 2}" text-anchor="middle" class="muted">no activity yet</text></svg>`;
  }
  const eth0 = pts[0].ethUsd;
  const navFirst = pts.find((p) => p.navPerTokenUsd !== null);
  const nav0 = navFirst?.navPerTokenUsd ?? 1;
  const ethIdx = pts.map((p) => (100 * p.ethUsd) / eth0);
  const navIdx = pts.map((p) => (p.navPerTokenUsd === null ? null : (100 * p.navPerTokenUsd) / nav0));
  const values = [...ethIdx, ...navIdx.filter((v): v is number => v !== null)];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (hi - lo < 4) {
    lo -= 2;
    hi += 2;
  }
  const t0 = pts[0].time;
  const t1 = Math.max(pts[pts.length - 1].time, t0 + 1);
  const X = (t: number) => pad.l + ((t - t0) / (t1 - t0)) * (w - pad.l - pad.r);
  const Y = (v: number) => pad.t + (1 - (v - lo) / (hi - lo)) * (h - pad.t - pad.b);
  const line = (vals: Array<number | null>, color: string, name: string) => {
    const d = vals
      .map((v, i) => (v === null ? null : `${f(X(pts[i].time))} ${f(Y(v))}`))
      .filter((s): s is string => s !== null)
      .map((s, i) => `${i === 0 ? 'M' : 'L'}${s}`)
      .join(' ');
    return d ? `<path d="${d}" stroke="${color}" stroke-width="2" fill="none" data-series="${name}"/>` : '';
  };
  const grid = [lo, (lo + hi) / 2, hi]
    .map((v) => `<line x1="${pad.l}" x2="${w - pad.r}" y1="${f(Y(v))}" y2="${f(Y(v))}" class="grid"/><text x="${pad.l - 6}" y="${f(Y(v) + 4)}" text-anchor="end" class="tick">${v.toFixed(0)}</text>`)
    .join('');
  const markers = pts
    .map((p, i) => {
      if (p.kind === 'live') return '';
      const nav = navIdx[i];
      const eth = `<circle cx="${f(X(p.time))}" cy="${f(Y(ethIdx[i]))}" r="4" fill="${COLORS.eth}" data-kind="${p.kind}" data-eth="${p.ethUsd}"><title>${p.kind}: ETH $${p.ethUsd.toFixed(2)}</title></circle>`;
      const navDot = nav === null ? '' : `<circle cx="${f(X(p.time))}" cy="${f(Y(nav))}" r="4" fill="${COLORS.nav}" data-kind="${p.kind}" data-nav="${p.navPerTokenUsd}"><title>${p.kind}: NAV/token $${p.navPerTokenUsd!.toFixed(6)}</title></circle>`;
      return eth + navDot;
    })
    .join('');
  const events = pts.filter((p) => p.kind !== 'live').length;
  return `<svg viewBox="0 0 ${w} ${h}" class="chart" data-points="${pts.length}" data-events="${events}" role="img" aria-label="NAV per token and ETH, indexed to 100">` +
    grid +
    line(ethIdx, COLORS.eth, 'eth') +
    line(navIdx, COLORS.nav, 'nav') +
    markers +
    `<text x="${pad.l}" y="${h - 8}" class="tick">${new Date(t0 * 1000).toLocaleTimeString()}</text>` +
    `<text x="${w - pad.r}" y="${h - 8}" text-anchor="end" class="tick">${new Date(t1 * 1000).toLocaleTimeString()}</text>` +
    `</svg>`;
}
