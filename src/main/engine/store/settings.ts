import type { Db } from './db.js';

/** Small key/value settings kept in the library (the model in use, and later the device and UI preferences). */
export class SettingsRepo {
  private readonly getStmt;
  private readonly setStmt;
  private readonly delStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], { value: string }>('SELECT value FROM settings WHERE key = ?');
    this.setStmt = db.prepare<[string, string]>(
      'INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.delStmt = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
  }

  get<T>(key: string): T | undefined {
    const row = this.getStmt.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }

  set(key: string, value: unknown): void {
    if (value === undefined) this.delStmt.run(key);
    else this.setStmt.run(key, JSON.stringify(value));
  }
}
