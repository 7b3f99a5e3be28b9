import { isSealed, openValue } from './field-cipher.ts';
import { erased, mapFields, type SealedField, type SealingRules } from './sealing-store.ts';
import type { SubjectKeys } from './subject-keys.ts';
import type { StoredEvent } from '../../eventstore/port.ts';

/** A subject's key as this batch sees it: looked up on the first access of one of its fields. */
type KeyRef = { subject: string; key: Buffer | null | undefined };

const keyOf = (keys: SubjectKeys, ref: KeyRef) => {
  if (ref.key === undefined) ref.key = keys.existingKey(ref.subject);
  return ref.key;
};

/** The sealed fields of a type grouped by their first step: one lazy property each. */
const groupsByFields = new WeakMap<readonly SealedField[], Map<string, SealedField[]>>();
function groupsOf(fields: readonly SealedField[]) {
  let groups = groupsByFields.get(fields);
  if (!groups) {
    groups = new Map();
    for (const f of fields) groups.set(f.path[0]!, [...(groups.get(f.path[0]!) ?? []), f]);
    groupsByFields.set(fields, groups);
  }
  return groups;
}

/**
 * `data` with each top-level property that holds sealed fields made an accessor that opens them on
 * first access (with the same rules as reading eagerly) and keeps the answer. The property stays an
 * accessor: redefining it costs more than the check. An optional field of a forgotten subject reads
 * as undefined, as its absence does when read eagerly (JSON leaves it out alike).
 */
function lazyData(data: Record<string, unknown>, fields: readonly SealedField[], ref: KeyRef, keys: SubjectKeys): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const [step, group] of groupsOf(fields)) {
    const raw = data[step];
    if (raw === undefined) continue;
    let opened = false;
    let value: unknown;
    Object.defineProperty(out, step, {
      enumerable: true,
      configurable: true,
      get() {
        if (!opened) {
          const key = keyOf(keys, ref);
          const visit = (v: unknown, f: SealedField) => (!key ? erased(f) : isSealed(v) ? openValue(key, v, ref.subject) : v);
          value = (mapFields({ [step]: raw }, group, visit) as Record<string, unknown>)[step];
          opened = true;
        }
        return value;
      },
      set(v: unknown) {
        value = v;
        opened = true;
      },
    });
  }
  return out;
}

/**
 * A batch read from the log with its personal fields opened on first access: most readers of a
 * whole log (the projections) never touch most of them, and skip both the AES-GCM and the lookup
 * of the subject's key. Use the events before reading the next batch.
 *
 * What a field reads as is what reading eagerly gives: a forgetting in the batch deletes its
 * subject's key as it is read, so the key is taken first for the events before it that still hold
 * unopened fields of that subject.
 */
export function openLazily(events: readonly StoredEvent[], keys: SubjectKeys, rules: SealingRules): StoredEvent[] {
  const refs = new Map<string, KeyRef>();
  return events.map((e) => {
    const forgotten = rules.forgottenBy(e.type, e.stream);
    if (forgotten) {
      const ref = refs.get(forgotten);
      if (ref) keyOf(keys, ref);
      refs.delete(forgotten);
      keys.forget(forgotten);
    }
    const fields = rules.fieldsOf(e.type);
    if (fields.length === 0 || typeof e.data !== 'object' || e.data === null) return e;
    const subject = rules.subjectOf(e.stream, e.metadata);
    let ref = refs.get(subject);
    if (!ref) refs.set(subject, (ref = { subject, key: undefined }));
    return { ...e, data: lazyData(e.data as Record<string, unknown>, fields, ref, keys) };
  });
}
