import type { EventOf, EventType } from '../../../domain/events.ts';
import type { StoredEvent } from '../../../eventstore/port.ts';

/** An event's data, typed by its type name. The store validated it at the edge. */
export type Data<K extends EventType> = EventOf<K>['data'];
export const dataOf = <K extends EventType>(e: StoredEvent, _type: K): Data<K> => e.data as Data<K>;

/** Every event carries its workspace in the metadata (DESIGN.md). */
export const workspaceOf = (e: StoredEvent): string => e.metadata['workspaceId'] as string;

/** The aggregate id in `contact-<id>` / `meeting-<id>` / `workspace-<id>`. */
export const idOfStream = (stream: string): string => stream.slice(stream.indexOf('-') + 1);
