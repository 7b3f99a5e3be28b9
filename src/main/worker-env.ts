/** Set in a worker process started by `outreach worker --processes`: its number in the plan. */
export const WORKER_PROCESS_ENV = 'OUTREACH_WORKER_PROCESS';
