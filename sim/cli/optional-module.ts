/**
 * Telling "this optional module is not built yet" from "it failed to load":
 * commands whose back end lands in a later issue import it dynamically and
 * report "not built yet" only when the module file itself is missing.
 */

/** Whether an import failed because the module ending in `fileSuffix` itself does not exist (not something it imports). */
export function isModuleNotFound(error: unknown, fileSuffix: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return false;
  const match = typeof message === 'string' ? /Cannot find module '([^']+)'/.exec(message) : null;
  return match === null || match[1].replace(/\\/g, '/').endsWith(fileSuffix);
}
