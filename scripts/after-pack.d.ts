// Types for scripts/after-pack.js, for its tests.
export declare function packagedBinary(appOutDir: string, platform: string, productFilename: string): string;
declare function afterPack(context: unknown): Promise<void>;
export default afterPack;
