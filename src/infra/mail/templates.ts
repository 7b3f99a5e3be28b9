import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OutreachError } from '../../domain/errors.ts';
import {
  emailKinds,
  scriptKinds,
  templateVariables,
  type TemplateKind,
  type TemplatePart,
  type Templates,
  type VarValue,
} from '../../app/effects/email/templates.ts';

export { emailKinds, templateVariables, type EmailKind, type TemplateVars, type Templates } from '../../app/effects/email/templates.ts';

const FILE_SUFFIX: Record<TemplatePart, string> = { subject: '.subject.txt', text: '.text.txt', html: '.html' };
export const defaultTemplatesDir = fileURLToPath(new URL('../../../templates/', import.meta.url));

type Node = { t: 'text'; value: string } | { t: 'var'; name: string } | { t: 'section'; name: string; inverted: boolean; children: Node[] };

const TAG = /\{\{\s*([#^/]?)\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
/** A section tag alone on its line takes the line with it, so a vanished section leaves no blank line. */
const STANDALONE = /^[ \t]*(\{\{\s*[#^/]\s*[A-Za-z][A-Za-z0-9]*\s*\}\})[ \t]*(?:\r?\n|$)/gm;

function parse(source: string, file: string, allowed: ReadonlySet<string>): Node[] {
  const bad = (message: string, variable?: string) =>
    new OutreachError('config', `template ${file}: ${message}`, { field: variable ?? 'template', details: { file, ...(variable ? { variable } : {}) } });
  const text = source.replace(STANDALONE, '$1');
  const root: Node[] = [];
  const stack: Array<{ name: string; children: Node[] }> = [{ name: '', children: root }];
  const pushText = (value: string) => {
    if (value.includes('{{') || value.includes('}}')) {
      const at = value.includes('{{')
        ? value.slice(value.indexOf('{{'), value.indexOf('{{') + 30)
        : value.slice(Math.max(0, value.indexOf('}}') - 30), value.indexOf('}}') + 2);
      throw bad(`malformed tag near "${at}" (tags look like {{name}}, {{#name}}…{{/name}} or {{^name}}…{{/name}})`);
    }
    if (value) stack.at(-1)!.children.push({ t: 'text', value });
  };
  let last = 0;
  for (const m of text.matchAll(TAG)) {
    pushText(text.slice(last, m.index));
    last = m.index + m[0].length;
    const [, sigil, name] = m as unknown as [string, string, string];
    if (!allowed.has(name)) {
      throw bad(`unknown variable {{${name}}}; this template may use ${[...allowed].sort().join(', ')}`, name);
    }
    if (sigil === '/') {
      const open = stack.pop();
      if (!open || stack.length === 0 || open.name !== name) throw bad(`{{/${name}}} closes ${open?.name ? `{{#${open.name}}}` : 'nothing'}`, name);
    } else if (sigil === '#' || sigil === '^') {
      const section: Node = { t: 'section', name, inverted: sigil === '^', children: [] };
      stack.at(-1)!.children.push(section);
      stack.push({ name, children: section.children });
    } else {
      stack.at(-1)!.children.push({ t: 'var', name });
    }
  }
  pushText(text.slice(last));
  if (stack.length > 1) throw bad(`{{#${stack.at(-1)!.name}}} is never closed`, stack.at(-1)!.name);
  return root;
}

const present = (v: VarValue | undefined) => v !== undefined && String(v).trim() !== '';

function renderNodes(nodes: Node[], vars: Record<string, VarValue | undefined>, value: (raw: string) => string): string {
  let out = '';
  for (const node of nodes) {
    if (node.t === 'text') out += node.value;
    else if (node.t === 'var') out += present(vars[node.name]) ? value(String(vars[node.name]).trim()) : '';
    else if (present(vars[node.name]) !== node.inverted) out += renderNodes(node.children, vars, value);
  }
  return out;
}

export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** Notes and question lists are typed with line breaks; HTML would run them together. */
const htmlValue = (s: string) => escapeHtml(s).replace(/\r\n|\r|\n/g, '<br>\n');
/** A value with a line break must not split a subject (header injection, broken threading). */
const subjectValue = (s: string) => s.replace(/[\r\n\t]+/g, ' ');

type Compiled = Record<TemplatePart, Node[]>;

export function loadTemplates(opts: { overrideDir?: string | undefined; defaultDir?: string | undefined } = {}): Templates {
  const defaultDir = resolve(opts.defaultDir ?? defaultTemplatesDir);
  const overrideDir = opts.overrideDir ? resolve(opts.overrideDir) : undefined;
  if (overrideDir) {
    if (!existsSync(overrideDir) || !statSync(overrideDir).isDirectory()) {
      throw new OutreachError('config', `templates: the override folder ${overrideDir} does not exist`, { field: 'OUTREACH_TEMPLATES_DIR' });
    }
    // A misspelt file name would otherwise be ignored in silence and the default sent instead.
    for (const name of readdirSync(overrideDir)) {
      const part = (Object.keys(FILE_SUFFIX) as TemplatePart[]).find((p) => name.endsWith(FILE_SUFFIX[p]));
      if (!part) continue;
      const kind = name.slice(0, -FILE_SUFFIX[part].length);
      if (![...emailKinds, ...scriptKinds].includes(kind as TemplateKind)) {
        throw new OutreachError(
          'config',
          `template ${join(overrideDir, name)}: no email kind "${kind}"; the kinds are ${[...emailKinds, ...scriptKinds].join(', ')}`,
          {
            field: 'template',
            details: { file: join(overrideDir, name) },
          },
        );
      }
    }
  }

  const compiled = new Map<TemplateKind, Partial<Compiled>>();
  const origin = new Map<TemplateKind, Partial<Record<TemplatePart, string>>>();
  const kinds: readonly TemplateKind[] = [...emailKinds, ...scriptKinds];
  for (const kind of kinds) {
    const decl = templateVariables[kind];
    const allowed = new Set<string>([...decl.required, ...decl.optional]);
    const parts: Partial<Compiled> = {};
    const files: Partial<Record<TemplatePart, string>> = {};
    // A call script is read, not sent: it has a text and nothing else.
    const partsOfKind: TemplatePart[] = (scriptKinds as readonly string[]).includes(kind) ? ['text'] : ['subject', 'text', 'html'];
    for (const part of partsOfKind) {
      const name = `${kind}${FILE_SUFFIX[part]}`;
      const override = overrideDir ? join(overrideDir, name) : undefined;
      const file = override && existsSync(override) ? override : join(defaultDir, name);
      if (!existsSync(file)) throw new OutreachError('config', `template ${file}: missing`, { field: 'template', details: { file } });
      let source = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
      if (part === 'subject') {
        source = source.replace(/\r?\n$/, '');
        if (/[\r\n]/.test(source)) throw new OutreachError('config', `template ${file}: a subject must be one line`, { field: 'template', details: { file } });
      }
      parts[part] = parse(source, file, allowed);
      files[part] = file;
    }
    compiled.set(kind, parts);
    origin.set(kind, files);
  }

  const values = (kind: TemplateKind, vars: unknown) => {
    const v = vars as Record<string, VarValue | undefined>;
    for (const name of templateVariables[kind].required) {
      if (!present(v[name])) throw new OutreachError('validation', `${kind}: variable ${name} must not be empty`, { field: name });
    }
    return v;
  };
  const plain = (nodes: Node[], v: Record<string, VarValue | undefined>) =>
    `${renderNodes(nodes, v, (x) => x)
      .replace(/[ \t]+$/gm, '')
      .replace(/\n{3,}/g, '\n\n')
      .trim()}\n`;

  return {
    render(kind, vars) {
      const parts = compiled.get(kind);
      if (!parts?.subject || !parts.text || !parts.html)
        throw new OutreachError('validation', `template kind ${String(kind)} is not an email`, { field: 'kind' });
      const v = values(kind, vars);
      const subject = renderNodes(parts.subject, v, subjectValue).replace(/\s+/g, ' ').trim();
      return { subject, text: plain(parts.text, v), html: renderNodes(parts.html, v, htmlValue) };
    },
    script(kind, vars) {
      const parts = compiled.get(kind);
      if (!parts?.text) throw new OutreachError('validation', `template kind ${String(kind)} is not a call script`, { field: 'kind' });
      return plain(parts.text, values(kind, vars));
    },
    files(kind) {
      return { ...origin.get(kind) };
    },
  };
}

/** The HTML of a text written by hand (an edited draft): escaped, paragraphs and line breaks kept. */
export function htmlFromText(text: string): string {
  const paragraphs = text.trim().split(/\n\s*\n/);
  return `<!doctype html>\n<html><body>\n${paragraphs.map((p) => `<p>${htmlValue(p.trim())}</p>`).join('\n')}\n</body></html>\n`;
}
