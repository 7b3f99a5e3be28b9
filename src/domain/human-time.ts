import { DateTime, Settings } from 'luxon';
import { instantMs } from './scheduling.ts';
import { zoneFormat } from './zone-format.ts';

const HUMAN_FORMAT = 'cccc d LLLL yyyy, HH:mm ZZZZ';

/** A time as the recipient reads it: their zone, their words ("Thursday 3 December 2026, 10:00 GMT"). */
export function humanTime(iso: string, zone: string): string {
  return fastHumanTime(iso, zone) ?? DateTime.fromISO(iso, { setZone: true }).setZone(zone).toFormat(HUMAN_FORMAT);
}

/*
 * luxon builds a new Intl.DateTimeFormat on every call for the zone's name (ZZZZ), which made this
 * the most expensive step of an email. The same text comes from one kept Intl.DateTimeFormat per
 * zone, used only where it gives exactly luxon's output: an instant with an explicit offset, and
 * luxon's English names (its default locale English, no other numbering or calendar). Anything
 * else (an unknown zone, another locale, a malformed time) goes to luxon as before.
 */
let systemLocale: string | undefined;

function humanFormat(zone: string): Intl.DateTimeFormat | null {
  if (Settings.defaultNumberingSystem || Settings.defaultOutputCalendar) return null;
  // luxon names the zone in its default locale (the system's unless set); its day and month names are its English ones.
  const locale = Settings.defaultLocale || (systemLocale ??= new Intl.DateTimeFormat().resolvedOptions().locale);
  if (locale !== 'en' && locale.toLowerCase() !== 'en-us') return null;
  const format = zoneFormat('human', zone, locale, {
    hourCycle: 'h23',
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
  if (!format) return null;
  let plain = latin.get(format);
  if (plain === undefined) {
    const options = format.resolvedOptions();
    latin.set(format, (plain = options.numberingSystem === 'latn' && options.calendar === 'gregory'));
  }
  return plain ? format : null;
}

const latin = new WeakMap<Intl.DateTimeFormat, boolean>();

function fastHumanTime(iso: string, zone: string): string | null {
  const ms = instantMs(iso);
  const format = ms === null ? null : humanFormat(zone);
  if (ms === null || !format) return null;
  let weekday = '',
    day = '',
    month = '',
    year = '',
    hour = '',
    minute = '',
    zoneName = '';
  for (const part of format.formatToParts(ms)) {
    switch (part.type) {
      case 'weekday':
        weekday = part.value;
        break;
      case 'day':
        day = part.value;
        break;
      case 'month':
        month = part.value;
        break;
      case 'year':
        year = part.value;
        break;
      case 'hour':
        hour = part.value;
        break;
      case 'minute':
        minute = part.value;
        break;
      case 'timeZoneName':
        zoneName = part.value;
        break;
    }
  }
  if (!weekday || !day || !month || !/^\d{4}$/.test(year) || !/^\d{2}$/.test(hour) || !/^\d{2}$/.test(minute) || !zoneName) return null;
  return `${weekday} ${day} ${month} ${year}, ${hour}:${minute} ${zoneName}`;
}
