import type { AccessStore } from '../app/access.ts';
import { accessFile, openAccessStore } from '../infra/access/access-store.ts';
import type { Config } from './config.ts';

/** The API tokens and browser sessions of this data folder (`access.db`), for `outreach token` and `serve`. */
export const openAccess = (config: Pick<Config, 'dataDir'>): AccessStore => openAccessStore(accessFile(config.dataDir));
