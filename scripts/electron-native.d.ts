// Types for scripts/electron-native.js, for its tests and the packaging hook.
export interface NativeBuild {
  readonly electron: string;
  readonly abi: string | null;
  readonly platform: string;
  readonly arch: string;
  readonly 'better-sqlite3': string;
}
export declare const REPO: string;
export declare function wantedBuild(options?: { root?: string; platform?: string; arch?: string; electron?: string }): NativeBuild;
export declare function moduleAbi(file: string): string | null;
export declare function needsRebuild(recorded: unknown, wanted: NativeBuild): boolean;
export declare function cacheDir(root?: string): string;
export declare function bindingPath(wanted: NativeBuild, root?: string): string;
export declare function ensureElectronNative(options?: {
  root?: string;
  platform?: string;
  arch?: string;
  electron?: string;
  log?: (line: string) => void;
}): Promise<string>;
