// Library actions shared by the start page and the Library page.
import { plural } from '../lib/format.js';
import { conn, refreshStatus } from './app.svelte.js';
import { messageOf, toast } from './toasts.svelte.js';

/** Adds a folder and starts indexing it; progress arrives as events. Resolves once the folder is added. */
export async function addFolder(path: string): Promise<boolean> {
  const { api } = conn();
  let root;
  try {
    root = await api.addRoot({ path: path.trim() });
  } catch (error) {
    toast(messageOf(error), 'error');
    return false;
  }
  void refreshStatus();
  api
    .indexNow({ rootIds: [root.id] })
    .then((summary) => {
      const parts = [`${plural(summary.added, 'new file', 'new files')}`];
      if (summary.failed) parts.push(`${plural(summary.failed, 'could not be read', 'could not be read')}`);
      toast(`Indexed ${root.path}: ${parts.join(', ')}.`);
      void refreshStatus();
    })
    .catch((error: unknown) => {
      toast(messageOf(error), 'error');
      void refreshStatus();
    });
  return true;
}

/**
 * Adds several folders (the first-run walkthrough) and indexes them in one run. Folders that cannot be added are
 * returned with the engine's reason; the others are added either way.
 */
export async function addFolders(paths: readonly string[]): Promise<{ added: number; failed: { path: string; message: string }[] }> {
  const { api } = conn();
  const ids: number[] = [];
  const failed: { path: string; message: string }[] = [];
  for (const path of paths) {
    try {
      ids.push((await api.addRoot({ path })).id);
    } catch (error) {
      failed.push({ path, message: messageOf(error) });
    }
  }
  await refreshStatus();
  if (ids.length) {
    api
      .indexNow({ rootIds: ids })
      .then((summary) => {
        toast(`Indexed ${plural(ids.length, 'folder', 'folders')}: ${plural(summary.added, 'new file', 'new files')}${summary.failed ? `, ${summary.failed} could not be read` : ''}.`);
        void refreshStatus();
      })
      .catch((error: unknown) => {
        toast(messageOf(error), 'error');
        void refreshStatus();
      });
  }
  return { added: ids.length, failed };
}
