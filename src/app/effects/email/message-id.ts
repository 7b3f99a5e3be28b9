import { OutreachError } from '../../../domain/errors.ts';
import { derivedId } from '../../ids.ts';

const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/**
 * The Message-ID of an effect: the same key always gives the same id, so a retried send is
 * recognisably the same message (receivers and our outbox de-duplicate on it) and replies thread.
 */
export function messageIdFor(effectKey: string, domain: string, derived?: string): string {
  if (!effectKey) throw new OutreachError('validation', 'effectKey: must not be empty', { field: 'effectKey' });
  if (!DOMAIN.test(domain))
    throw new OutreachError('config', `OUTREACH_MESSAGE_DOMAIN: ${JSON.stringify(domain)} is not a domain name`, { field: 'OUTREACH_MESSAGE_DOMAIN' });
  // `derived`: derivedId(effectKey), when the caller has worked it out already (the result event's id is the same).
  return `<${derived ?? derivedId(effectKey)}@${domain.toLowerCase()}>`;
}
