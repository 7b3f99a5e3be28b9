/**
 * One Intl.DateTimeFormat per zone and use, kept. Building one costs far more than using it, and
 * the scheduling rules and the emails ask the same few zones again and again. Null for a zone (or
 * locale) Intl does not know: the callers then go to luxon, which says what is wrong.
 */
const formats = new Map<string, Intl.DateTimeFormat | null>();
const MAX_FORMATS = 3000;

export function zoneFormat(use: string, zone: string, locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat | null {
  const key = `${use}|${locale}|${zone}`;
  let format = formats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone });
    } catch {
      format = null;
    }
    if (formats.size >= MAX_FORMATS) formats.clear();
    formats.set(key, format);
  }
  return format;
}
