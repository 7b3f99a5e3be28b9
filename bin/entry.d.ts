// Types of bin/entry.js for the TypeScript that imports it (bench/, tests/).
export declare const ROOT: string;
export declare const STAMP: string;
export declare function sourcesFingerprint(root?: string): { newest: number; count: number };
export declare function loadEntry(name: 'cli' | 'demo'): Promise<{ main(argv: string[]): Promise<number> }>;
