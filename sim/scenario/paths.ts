/**
 * Where the repository is on disk: the one place that derives paths from a
 * module's own location, so the CLI can run bundled (see bin/locksim.js) as
 * well as from source. Paths of built-in scenarios and shared data hang off it.
 */
import { fileURLToPath } from 'node:url';

/** The repository root (the folder holding package.json). */
export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

