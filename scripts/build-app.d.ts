// Types for scripts/build-app.js, for the tests that build the preload.
export declare const REPO: string;
export declare function buildPreload(outfile: string, root?: string): Promise<void>;
export declare function buildApp(options?: { root?: string; out?: string }): Promise<{ files: number; out: string }>;
