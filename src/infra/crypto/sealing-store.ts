import { isSealed, openValue, SealedValueError, sealValue } from './field-cipher.ts';
import type { SubjectKeys } from './subject-keys.ts';
import type { EventStore, NewEvent, StoredEvent } from '../../eventstore/port.ts';

export type SealedField = { path: readonly string[]; optional: boolean; placeholder: string };

export type SealingRules = {
  fieldsOf(type: string): readonly SealedField[];
  /** Whose key seals an event's fields. */
  subjectOf(stream: string, metadata: Record<string, unknown>): string;
  /** The subject an event erases, if it is a forgetting. */
  forgottenBy(type: string, stream: string): string | null;
};

type Visit = (value: unknown, field: SealedField) => unknown;
const REMOVE = Symbol('remove');

/**
 * `data` with every value at the fields' paths replaced by `visit`'s answer. Copies only the
 * objects and arrays on those paths (the caller's event is never changed; the rest is shared).
 */
function mapFields(data: unknown, fields: readonly SealedField[], visit: Visit): unknown {
  let out = data;
  for (const f of fields) out = apply(out, f.path, 0, f, visit);
  return out;
}

function apply(node: unknown, path: readonly string[], i: number, field: SealedField, visit: Visit): unknown {
  if (typeof node !== 'object' || node === null) return node;
  const step = path[i]!;
  const last = i === path.length - 1;
  if (step === '*') {
    if (!Array.isArray(node)) return node;
    return node.map((item) => (last ? visit(item, field) : apply(item, path, i + 1, field, visit)));
  }
  const obj = node as Record<string, unknown>;
  if (!Object.hasOwn(obj, step) || obj[step] === undefined) return node;
  const next = last ? visit(obj[step], field) : apply(obj[step], path, i + 1, field, visit);
  const copy = { ...obj };
  if (next === REMOVE) delete copy[step];
  else copy[step] = next;
  // A nested object left empty (a change of details that changed only personal fields) would no
  // longer say what it is: keep the field, erased, instead.
  if (next === REMOVE && i > 0 && Object.keys(copy).length === 0) copy[step] = field.placeholder;
  return copy;
}

const erased = (field: SealedField) => (field.optional ? REMOVE : field.placeholder);

/**
 * An event's personal values are sealed together, in the order its fields are visited, into one
 * value kept under ENVELOPE; each field holds IN_ENVELOPE in its place. One AES-GCM per event
 * instead of one per field: the cipher's set-up costs more than the bytes it seals. Events written
 * with a seal per field (`enc:v1:` in the field itself) read as before.
 */
const ENVELOPE = '_sealed';
const IN_ENVELOPE = 'enc:v2';

const withoutEnvelope = (data: Record<string, unknown>) => {
  const { [ENVELOPE]: envelope, ...rest } = data;
  return { envelope, rest };
};

/** The fields' values from the envelope, in the order they were sealed; a field neither in the envelope nor sealed on its own is as stored. */
function openEnvelope(data: Record<string, unknown>, fields: readonly SealedField[], key: Buffer | null, subject: string): unknown {
  const { envelope, rest } = withoutEnvelope(data);
  const opened = key && isSealed(envelope) ? openValue(key, envelope, subject) : null;
  if (key && !Array.isArray(opened)) throw new SealedValueError(`the sealed personal values of an event of ${subject} are not a list`);
  const values = opened as unknown[] | null;
  let next = 0;
  const out = mapFields(rest, fields, (v, f) => {
    if (!key || !values) return erased(f);
    if (v !== IN_ENVELOPE) return isSealed(v) ? openValue(key, v, subject) : v;
    if (next >= values.length) throw new SealedValueError(`an event of ${subject} has more personal fields than were sealed`);
    return values[next++];
  });
  // A field removed after sealing would shift every value after it into the wrong field.
  if (values && next !== values.length) throw new SealedValueError(`an event of ${subject} has fewer personal fields than were sealed`);
  return out;
}

const hasEnvelope = (data: unknown): data is Record<string, unknown> => typeof data === 'object' && data !== null && Object.hasOwn(data, ENVELOPE);

/**
 * The event store with personal fields sealed on the way in and opened on the way out. Callers see
 * plaintext; the adapter underneath — SQLite file or EventStoreDB — only ever holds ciphertext.
 * Once a subject is forgotten its fields read as erased (removed when optional, a placeholder the
 * schema accepts otherwise), and nothing new is ever sealed for it.
 */
export function withSealedPersonalData(inner: EventStore, keys: SubjectKeys, rules: SealingRules): EventStore {
  const seal = (stream: string, e: NewEvent): NewEvent => {
    const fields = rules.fieldsOf(e.type);
    if (fields.length === 0) return e;
    const subject = rules.subjectOf(stream, e.metadata);
    const key = keys.keyFor(subject);
    const values: unknown[] = [];
    const data = mapFields(e.data, fields, (v, f) => {
      if (!key) return erased(f);
      values.push(v);
      return IN_ENVELOPE;
    });
    if (!key || values.length === 0) return { ...e, data };
    return { ...e, data: { ...(data as Record<string, unknown>), [ENVELOPE]: sealValue(key, values, subject) } };
  };

  const open = (e: StoredEvent, only?: ReadonlySet<string>): StoredEvent => {
    const forgotten = rules.forgottenBy(e.type, e.stream);
    // Whoever reads the forgetting makes sure the key is gone: this closes the gap of a process
    // that stopped between appending ContactForgotten and deleting the key.
    if (forgotten) keys.forget(forgotten);
    const fields = rules.fieldsOf(e.type);
    if (fields.length === 0 || (only && !only.has(e.type))) return e;
    const subject = rules.subjectOf(e.stream, e.metadata);
    const key = keys.existingKey(subject);
    if (hasEnvelope(e.data)) return { ...e, data: openEnvelope(e.data, fields, key, subject) };
    const data = mapFields(e.data, fields, (v, f) => {
      if (!key) return erased(f);
      return isSealed(v) ? openValue(key, v, subject) : v;
    });
    return { ...e, data };
  };

  const forgetAfter = (stream: string, events: readonly NewEvent[]) => {
    for (const e of events) {
      const forgotten = rules.forgottenBy(e.type, stream);
      if (forgotten) keys.forget(forgotten);
    }
  };

  return {
    kind: inner.kind,
    async append(stream, events, opts) {
      const sealed = events.map((e) => seal(stream, e));
      // The keys made for new subjects are stored before the events sealed with them.
      await keys.stored();
      const result = await inner.append(stream, sealed, opts);
      forgetAfter(stream, events);
      return result;
    },
    async appendMany(appends) {
      const sealed = appends.map((a) => ({ ...a, events: a.events.map((e) => seal(a.stream, e)) }));
      await keys.stored();
      const results = await inner.appendMany(sealed);
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') forgetAfter(appends[i]!.stream, appends[i]!.events);
      });
      return results;
    },
    async readStream(stream, opts) {
      return (await inner.readStream(stream, opts)).map((e) => open(e));
    },
    streamRevision: (stream) => inner.streamRevision(stream),
    async readAll(opts) {
      const only = opts?.openOnly;
      return (await inner.readAll(opts)).map((e) => open(e, only));
    },
    subscribeAll(opts) {
      return inner.subscribeAll({ ...opts, onEvent: (e) => opts.onEvent(open(e)) });
    },
    headPosition: () => inner.headPosition(),
    getCheckpoint: (consumer) => inner.getCheckpoint(consumer),
    saveCheckpoint: (consumer, position, opts) => inner.saveCheckpoint(consumer, position, opts),
    async close() {
      try {
        await inner.close();
      } finally {
        keys.close();
      }
    },
  };
}
