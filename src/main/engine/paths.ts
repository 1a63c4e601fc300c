// Where Trove keeps its library: the same folder Electron's app.getPath('userData') gives the desktop app, so the
// CLI, browser mode and the app share one library.
import { homedir } from 'node:os';
import { join } from 'node:path';

export const APP_NAME = 'Trove';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.TROVE_DATA_DIR) return env.TROVE_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', APP_NAME);
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), APP_NAME);
}

export const dataPaths = (dataDir: string) => ({
  database: join(dataDir, 'library.db'),
  models: join(dataDir, 'models'),
  thumbnails: join(dataDir, 'thumbnails'),
});
