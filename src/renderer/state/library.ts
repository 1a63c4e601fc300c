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
