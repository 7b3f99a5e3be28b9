/** "On <date>, <name> wrote:" in the languages mail clients write it; it names a date, time or address. */
export const WROTE: RegExp[] = [
  /^On\b.{0,300}\bwrote\s*:$/i,
  /^Am\b.{0,300}\bschrieb\b.{0,300}:$/i,
  /^Le\b.{0,300}\ba\s+écrit\s*:$/i,
  /^El\b.{0,300}\bescribió\s*:$/i,
  /^Op\b.{0,300}\bschreef\b.{0,300}:$/i,
  /^Il\b.{0,300}\bha\s+scritto\s*:$/i,
];
export const WROTE_DETAIL = /\d{1,2}:\d{2}|\d{4}|@/;
/** Separator lines that open the quoted or forwarded message. */
export const SEPARATORS: RegExp[] = [
  /^-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Oorspronkelijk bericht|Messaggio originale)\s*-{2,}$/i,
  /^-{2,}\s*(?:Forwarded message|Weitergeleitete Nachricht|Message transféré)\s*-{2,}$/i,
  /^Begin forwarded message:$/i,
  /^_{10,}$/,
];
export const opensQuote = (line: string, next: string[]) => {
  if (SEPARATORS.some((re) => re.test(line))) return true;
  if (!/^(?:On|Am|Le|El|Op|Il)\b/i.test(line)) return false;
  // A Gmail header line can wrap ("On Mon, … Ann Seeker <" / "ann@example.com> wrote:").
  const wraps = !/[.!?]$/.test(line);
  const candidates = wraps ? [line, `${line} ${next[0] ?? ''}`, `${line} ${next[0] ?? ''} ${next[1] ?? ''}`] : [line];
  for (const candidate of candidates) {
    if (WROTE.some((re) => re.test(candidate)) && WROTE_DETAIL.test(candidate)) return true;
  }
  return false;
};
export const OUTLOOK_FROM = /^\*?(?:From|Von|De|Van|Da|Från|Fra)\s*:\*?\s*\S/i;
export const OUTLOOK_SENT = /^\*?(?:Sent|Date|Gesendet|Datum|Envoyé|Date d'envoi|Enviado|Fecha|Verzonden|Inviato|Skickat|Sendt)\s*:/i;
export const SIGNATURE = [
  /^--\s?$/,
  /^(?:Sent from my |Sent from Outlook|Sent from Mail for |Sent from Yahoo Mail|Get Outlook for |Sent via |Envoyé de mon |Envoyé depuis |Von meinem .{0,40} gesendet|Gesendet von meinem |Enviado desde mi )/i,
];

/**
 * The text the sender wrote: the quoted history (Gmail and Apple "On … wrote:", Outlook "From: …
 * Sent: …" blocks and "-----Original Message-----", `>` lines) and the signature removed.
 */
export function newTextOf(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (opensQuote(line, [lines[i + 1]?.trim() ?? '', lines[i + 2]?.trim() ?? ''])) break;
    if (OUTLOOK_FROM.test(line) && lines.slice(i + 1, i + 6).some((l) => OUTLOOK_SENT.test(l.trim()))) break;
    if (SIGNATURE.some((re) => re.test(lines[i]!) || re.test(line))) break;
    if (line.startsWith('>')) continue;
    kept.push(lines[i]!.replace(/\s+$/, ''));
  }
  // A rule drawn above the quoted block (an HTML <hr> as text) belongs to it.
  while (kept.length > 0 && /^[-_=*\s]*$/.test(kept[kept.length - 1]!)) kept.pop();
  return kept
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

export const EXCERPT_MAX = 500;

/** The new text on one line, cut at a word boundary to at most `max` characters (ellipsis included). */
export function excerptOf(text: string, max = EXCERPT_MAX): string {
  const flat = newTextOf(text).replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,;:.-]+$/, '')}…`;
}

export const STOP_PHRASES: RegExp[] = [
  /\bunsubscribe\b/i,
  /\bopt[\s-]?(?:me\s+)?out\b/i,
  /^(?:please\s+)?stop[\s.!]*$/i,
  /\bstop\s+(?:e-?mailing|emailing|contacting|messaging|writing|sending|reaching\s+out)\b/i,
  /\bplease\s+stop\b(?!\s+by\b)/i,
  /\bremove\s+me\b(?!\s+from\s+(?:the\s+|this\s+)?(?:cc|copy|thread|loop|chain))/i,
  /\bremove\s+my\s+(?:e-?mail|address|name|details|contact)/i,
  /\btake\s+me\s+off\b/i,
  /\b(?:do\s+not|don'?t|don’t|never)\s+(?:contact|e-?mail|email|write\s+to|message|reach\s+out\s+to)\s+me\b(?!\s+(?:at|on|via|here|there|before|until|till|after|during)\b)/i,
  /\bno\s+(?:more|further)\s+(?:e-?mails|emails|messages|contact)\b/i,
  /\bleave\s+me\s+alone\b/i,
  /\b(?:abmelden|austragen)\b/i,
  /\bkeine\s+(?:weiteren\s+)?(?:e-?mails|nachrichten|kontaktaufnahmen?)\b/i,
  /\bnicht\s+mehr\s+(?:kontaktieren|anschreiben)\b/i,
  /\bd[ée]sabonn/i,
  /\bd[ée]sinscri/i,
  /\bne\s+(?:plus\s+)?me\s+(?:contactez|[ée]crivez)\s+plus\b/i,
  /\bne\s+plus\s+me\s+(?:contacter|[ée]crire)\b/i,
  /\bretirez[- ]moi\b/i,
  /\bdarme\s+de\s+baja\b/i,
  /\bno\s+me\s+(?:contacte|contactes|escriba|escribas)\s+m[áa]s\b/i,
];
export const STOP_LINES = 5;

/** Whether the first lines of the new text ask not to be written to again. */
export function asksToStop(newText: string): boolean {
  const lines = newText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .slice(0, STOP_LINES);
  return lines.some((line) => STOP_PHRASES.some((re) => re.test(line)));
}
