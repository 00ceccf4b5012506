import { hostname } from 'node:os';

/**
 * This process as the catalogue knows it: the prefix of the name every one of its team catalogue
 * connections gives itself (`xjwatch:<pid>:<host>:<command>`, within PostgreSQL's 63 characters),
 * recorded with each run it makes. A run whose holder has no connection left is a dead process's.
 */
export const runHolder = (): string => `xjwatch:${process.pid}:${hostname()}:`.slice(0, 63);
