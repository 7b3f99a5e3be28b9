import { v5 as uuidv5, v7 as uuidv7 } from 'uuid';

/** Namespace for ids derived from effect keys, so a retried effect writes the same event id. */
const EFFECT_NAMESPACE = '5b0f3c1e-7a52-4c86-9d5e-0f6f1a7c2b91';

export const newId = (): string => uuidv7();
export const derivedId = (key: string): string => uuidv5(key, EFFECT_NAMESPACE);
