import { personalFieldsOf, subjectForgottenBy, subjectOfStream } from '../domain/personal-fields.ts';
import type { SealingRules } from '../infra/crypto/sealing-store.ts';

/** The domain's answer to "what is personal, whose is it, and what erases it" for the sealing store. */
export const personalDataRules: SealingRules = {
  fieldsOf: personalFieldsOf,
  subjectOf: (stream, metadata) => {
    const subject = metadata['dataSubject'];
    return typeof subject === 'string' && subject.length > 0 ? subject : subjectOfStream(stream);
  },
  forgottenBy: subjectForgottenBy,
};
