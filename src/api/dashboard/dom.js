// Building the page: elements, figures and the formats numbers and times are shown in.

export const $ = (id) => document.getElementById(id);
export const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

// ---- formatting -------------------------------------------------------------------------------

export const nf = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
export const fmtCount = (n) => (n === null || n === undefined ? '–' : nf.format(n));
export const fmtHours = (h) => (h === null || h === undefined ? '–' : h < 1 ? `${Math.round(h * 60)} min` : `${nf.format(h)} h`);
export const fmtShare = (s) => (s === null || s === undefined ? '–' : `${Math.round(s * 100)} %`);
export const fmtAverage = (a) => (a === null || a === undefined ? '–' : a.toFixed(2));
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;
export const dateFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' });

export function fmtCell(v) {
  if (v === null || v === undefined || v === '') return '–';
  if (typeof v === 'string' && ISO.test(v)) {
    const d = new Date(v);
    return Number.isNaN(d.getTime()) ? v : dateFmt.format(d);
  }
  if (Array.isArray(v)) return v.map(fmtCell).join(', ');
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}: ${fmtCell(x)}`).join('; ');
  if (typeof v === 'number') return nf.format(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

/** Sets a figure: readable text, and the raw value for tests and scripts. */
export function figure(testId, value, format = fmtCount) {
  const el = byTestId(testId);
  if (!el) return;
  el.textContent = format(value);
  el.dataset.value = value === null || value === undefined ? '' : String(value);
}

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('data-')) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

export const SVG_NS = 'http://www.w3.org/2000/svg';
export function svg(tag, attrs = {}, ...children) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}
