// Types for scripts/start.js, for its tests.
export declare function electronBinary(root?: string, env?: NodeJS.ProcessEnv): string | null;
