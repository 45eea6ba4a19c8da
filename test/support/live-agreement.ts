/**
 * The live agreement table of the README: every built-in scenario, on each
 * of its designs that live mode runs, live (at a time scale) beside the
 * simulated run. Prints one Markdown row per scenario × design: whether
 * every comparable check agreed, the checks that disagreed, or why the run
 * was not judged live. Real servers, real time: takes minutes.
 *
 *   npx tsx test/support/live-agreement.ts [--scale 0.1] [--design redis,…] [scenario…]
 */
import { runLiveDesign, LIVE_DESIGNS } from '../../sim/live/index.ts';
import type { LiveDesignResult } from '../../sim/live/result.ts';
import { listBuiltinScenarios } from '../../sim/scenario/load.ts';
import { DESIGNS, loadScenarioFile } from './designs.ts';

const args = process.argv.slice(2);
const flag = (name: string): string | undefined => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const value = args[i + 1];
  args.splice(i, 2);
  return value;
};
const timeScale = Number(flag('--scale') ?? '0.1');
const designs = (flag('--design') ?? LIVE_DESIGNS.join(',')).split(',');
const names = args.length > 0 ? args : listBuiltinScenarios().map((s) => s.name);

function row(scenario: string, r: LiveDesignResult): string {
  if (r.unsupported !== undefined) return `| \`${scenario}\` | ${r.design} | not judged | ${r.unsupported.replace(/\|/g, '\\|')} |`;
  const a = r.agreement;
  if (a === undefined) return `| \`${scenario}\` | ${r.design} | - | no simulated run |`;
  const off = Object.entries(a)
    .filter(([k, v]) => k !== 'all' && typeof v === 'object' && v !== null && v.agree === false)
    .map(([k, v]) => `${k}: live ${String((v as { live: unknown }).live)}, simulated ${String((v as { simulated: unknown }).simulated)}`);
  return `| \`${scenario}\` | ${r.design} | ${a.all === null ? 'n/a' : a.all ? 'agree' : '**differ**'} | ${off.join('; ')} |`;
}

console.log(`| scenario | design | live vs simulated (time scale ${timeScale}) | |`);
console.log('| --- | --- | --- | --- |');
for (const name of names) {
  const scenario = loadScenarioFile(name);
  for (const design of scenario.designs.filter((d) => designs.includes(d))) {
    try {
      const result = await runLiveDesign(scenario, design, { registry: DESIGNS, timeScale });
      if ('skipped' in result && typeof (result as { skipped?: unknown }).skipped === 'string') continue;
      console.log(row(scenario.name, result));
    } catch (error) {
      console.log(`| \`${scenario.name}\` | ${design} | error | ${(error as Error).message.split('\n')[0]} |`);
    }
  }
}
