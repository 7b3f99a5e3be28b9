// The charts and tables of the dashboard, drawn from the API's answers.

import { el, fmtCell, fmtCount, svg } from './dom.js';

export const STAGES = [
  ['added', 'Added'], ['requested', 'Requested'], ['booked', 'Booked'], ['held', 'Held'], ['thanked', 'Thanked'], ['leads', 'Job leads'],
];
export const LEVELS = ['entry', 'mid', 'senior', 'executive'];
export const TABLE_ROWS = 10;

// ---- charts -----------------------------------------------------------------------------------

// Drawn at the width it is shown at, so that its words stay readable on a phone.
export function funnelChart(totals, shownWidth) {
  const width = Math.min(1200, Math.max(300, shownWidth || 1200));
  const narrow = width < 600;
  const rowH = 30;
  const labelW = narrow ? 82 : 110;
  const valueW = narrow ? 78 : 130;
  const max = Math.max(1, ...STAGES.map(([k]) => totals[k] ?? 0));
  const barMax = width - labelW - valueW;
  const root = svg('svg', { viewBox: `0 0 ${width} ${STAGES.length * rowH}`, role: 'img', 'aria-label': 'Funnel from added to job leads' });
  STAGES.forEach(([key, label], i) => {
    const value = totals[key] ?? 0;
    const prev = i > 0 ? totals[STAGES[i - 1][0]] ?? 0 : null;
    const y = i * rowH;
    const w = Math.max(value > 0 ? 2 : 0, (value / max) * barMax);
    const x = labelW + (barMax - w) / 2;
    root.append(
      svg('text', { x: 0, y: y + rowH / 2 + 4 }, label),
      svg('rect', { class: 'track', x: labelW, y: y + 4, width: barMax, height: rowH - 8, rx: 4 }),
      svg('rect', { class: 'bar', x, y: y + 4, width: w, height: rowH - 8, rx: 4, 'data-testid': `funnel-bar-${key}`, 'data-value': value }),
      svg('text', { x: labelW + barMax + 6, y: y + rowH / 2 + 4 }, fmtCount(value)),
      prev !== null
        ? svg('text', { class: 'muted', x: width, y: y + rowH / 2 + 4, 'text-anchor': 'end' }, prev > 0 ? `${Math.round((value / prev) * 100)} %` : '–')
        : null,
    );
  });
  return root;
}

export function funnelWeeks(weeks) {
  if (!weeks.length) return el('p', { class: 'empty' }, 'No activity yet.');
  const head = el('tr', {}, el('th', {}, 'Week'), STAGES.map(([, label]) => el('th', { class: 'num' }, label)));
  const rows = weeks.map((w) => el('tr', {},
    el('td', {}, w.week),
    STAGES.map(([key]) => el('td', { class: 'num', 'data-testid': `funnel-${w.week}-${key}`, 'data-value': String(w[key] ?? 0) }, fmtCount(w[key] ?? 0)))));
  return el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, rows)));
}

export function meetingsChart(weeks, shownWidth) {
  if (!weeks.length) return el('p', { class: 'empty' }, 'No meetings yet.');
  const width = Math.min(1200, Math.max(300, shownWidth || 1200));
  const height = width < 600 ? 160 : 190;
  const pad = { top: 18, bottom: 28, left: 28, right: 8 };
  const max = Math.max(1, ...weeks.flatMap((w) => [w.booked ?? 0, w.held ?? 0]));
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const slot = innerW / weeks.length;
  const barW = Math.max(4, Math.min(26, (slot - 10) / 2));
  const root = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Meetings booked and held per week' });
  root.append(svg('line', { class: 'axis', x1: pad.left, x2: width - pad.right, y1: pad.top + innerH, y2: pad.top + innerH }));
  for (const tick of [0, Math.ceil(max / 2), max]) {
    const y = pad.top + innerH - (tick / max) * innerH;
    root.append(svg('text', { class: 'muted', x: pad.left - 6, y: y + 4, 'text-anchor': 'end' }, tick));
  }
  const every = Math.ceil(weeks.length / Math.max(2, Math.min(12, Math.floor(width / 90))));
  weeks.forEach((w, i) => {
    const cx = pad.left + slot * i + slot / 2;
    [['booked', -1], ['held', 0]].forEach(([key, offset]) => {
      const value = w[key] ?? 0;
      const h = (value / max) * innerH;
      const x = cx + offset * barW;
      root.append(
        svg('rect', { class: `bar ${key}`, x, y: pad.top + innerH - h, width: barW - 2, height: h, rx: 2, 'data-testid': `meetings-${w.week}-${key}`, 'data-value': value },
          svg('title', {}, `${w.week}: ${value} ${key}`)),
      );
      if (value > 0) root.append(svg('text', { x: x + (barW - 2) / 2, y: pad.top + innerH - h - 4, 'text-anchor': 'middle' }, value));
    });
    if (i % every === 0) root.append(svg('text', { class: 'muted', x: cx, y: height - 10, 'text-anchor': 'middle' }, w.week));
  });
  const wrap = el('div', {}, root, el('div', { class: 'legend' },
    el('span', {}, el('span', { class: 'swatch booked' }), 'booked'), el('span', {}, el('span', { class: 'swatch held' }), 'held')));
  return wrap;
}

export function shareBar(share) {
  const width = 560;
  const root = svg('svg', { viewBox: `0 0 ${width} 26`, role: 'img', 'aria-label': 'Share of thank-yous within 24 hours' });
  root.append(svg('rect', { class: 'track', x: 0, y: 4, width, height: 14, rx: 7 }));
  if (share !== null && share !== undefined) root.append(svg('rect', { class: 'bar held', x: 0, y: 4, width: Math.max(share > 0 ? 4 : 0, share * width), height: 14, rx: 7 }));
  return root;
}

export function referralsGauge(average, target) {
  const width = 560;
  const max = Math.max(target * 2, Math.ceil(average ?? 0));
  const scale = (v) => (v / max) * width;
  const root = svg('svg', { viewBox: `0 0 ${width} 40`, role: 'img', 'aria-label': `Average referrals per interview against ${target}` });
  root.append(svg('rect', { class: 'track', x: 0, y: 4, width, height: 14, rx: 7 }));
  if (average !== null && average !== undefined) root.append(svg('rect', { class: `bar ${average >= target ? 'held' : ''}`, x: 0, y: 4, width: Math.max(4, scale(average)), height: 14, rx: 7 }));
  root.append(svg('line', { class: 'target', x1: scale(target), x2: scale(target), y1: 0, y2: 22 }));
  root.append(svg('text', { class: 'muted', x: scale(target), y: 36, 'text-anchor': 'middle' }, `target ${target}`));
  return root;
}

// ---- tables -----------------------------------------------------------------------------------

/** The columns to show: the readable ones named, in that order, and the seeker when every seeker is shown. */
export function columnsOf(rows, preferred, showWorkspace) {
  const keys = new Set();
  for (const r of rows) for (const k of Object.keys(r)) keys.add(k);
  let cols = preferred.filter((k) => keys.has(k));
  if (!cols.length) cols = [...keys].filter((k) => !/Id$|^id$/.test(k));
  return showWorkspace && keys.has('workspaceId') ? ['workspaceId', ...cols] : cols;
}

export const humanize = (k) => k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase()).replace(/^Workspace Id$/, 'Seeker');

// nameOf: the seeker's name for a workspace id (the first column when rows span seekers).
export function rowsTable(rows, preferred, showWorkspace, emptyText, nameOf = (id) => id) {
  if (!rows.length) return el('p', { class: 'empty' }, emptyText);
  const cols = columnsOf(rows, preferred, showWorkspace).slice(0, 8);
  const head = el('tr', {}, cols.map((c) => el('th', { class: rows.every((r) => typeof r[c] === 'number' || r[c] == null) ? 'num' : '' }, humanize(c))));
  const cell = (r, c) => (c === 'workspaceId' ? nameOf(r[c]) : fmtCell(r[c]));
  const body = rows.slice(0, TABLE_ROWS).map((r) => el('tr', {}, cols.map((c) => el('td', { class: typeof r[c] === 'number' ? 'num' : '' }, cell(r, c)))));
  return el('div', {}, el('div', { class: 'scroll' }, el('table', {}, el('thead', {}, head), el('tbody', {}, body))),
    rows.length > TABLE_ROWS ? el('p', { class: 'more' }, `and ${rows.length - TABLE_ROWS} more`) : null);
}

export function levelsTable(levelsByIndustry) {
  if (!levelsByIndustry.length) return el('p', { class: 'empty' }, 'No contacts with an industry yet.');
  const head = el('tr', {}, el('th', {}, 'Industry'), LEVELS.map((l) => el('th', {}, l)));
  const rows = levelsByIndustry.map((r) => el('tr', { 'data-testid': `levels-${r.industry}`, 'data-value': r.levels.join(',') },
    el('td', {}, r.industry),
    LEVELS.map((l) => (r.levels.includes(l) ? el('td', { class: 'check', title: `${l}: covered` }, '✓') : el('td', { class: 'miss', title: `${l}: nobody yet` }, '·')))));
  return el('table', {}, el('thead', {}, head), el('tbody', {}, rows));
}
