/**
 * The scenario-field documentation (sim/scenario/fields.ts) matches the
 * loader both ways: every documented field and example is accepted by
 * `parseScenario`, and every field the loader accepts — read from its own
 * "unknown field …; expected one of: …" message, not from its private
 * lists — is documented. `list` and `list --json` show it all, and the
 * README's JSON and YAML examples are the same scenario.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';
import type { CliIo } from '../sim/cli/io.ts';
import { main } from '../sim/cli/main.ts';
import { InputError } from '../sim/scenario/errors.ts';
import {
  FAULT_KIND_DOCS,
  FAULT_ON_FIELDS,
  FAULT_TRIGGER_FIELDS,
  NETWORK_FIELDS,
  SCENARIO_FIELDS,
  WORKLOAD_FIELDS,
  type FieldDoc,
} from '../sim/scenario/fields.ts';
import { SCENARIO_LIMITS, parseScenario } from '../sim/scenario/load.ts';
import { FAULT_KINDS } from '../sim/scenario/types.ts';

/** A scenario with servers s1..s5 (raft-lock), clients c1..c3, and a leader. */
const BASE = { designs: ['redis', 'raft-lock'], duration: '20s', workload: { clients: 3 } };
const parse = (raw: unknown): ReturnType<typeof parseScenario> => parseScenario(raw, 'doc.json', DESIGNS);
const names = (fields: readonly FieldDoc[]): string[] => fields.map((f) => f.name).sort();
const withFault = (fault: unknown): object => ({ ...BASE, faults: [fault] });

/** The fields the loader accepts where `raw` puts an unknown field `zzzUnknown`, read from its message. */
function acceptedFields(raw: unknown): string[] {
  try {
    parse(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(/unknown field "zzzUnknown"/);
    const list = /expected one of: (.*)$/.exec(message);
    expect(list, message).not.toBeNull();
    return [...new Set(list![1].split(', '))].sort();
  }
  throw new Error('the loader accepted an unknown field');
}

describe('every documented field is accepted by the loader', () => {
  it('the top level, network and workload, each field with its example', () => {
    for (const f of SCENARIO_FIELDS) expect(() => parse({ ...BASE, [f.name]: f.example }), `top level ${f.name}`).not.toThrow();
    for (const f of NETWORK_FIELDS) expect(() => parse({ ...BASE, network: { [f.name]: f.example } }), `network.${f.name}`).not.toThrow();
    for (const f of WORKLOAD_FIELDS) expect(() => parse({ ...BASE, workload: { ...BASE.workload, [f.name]: f.example } }), `workload.${f.name}`).not.toThrow();
  });

  it('all of them at once, and the examples take effect', () => {
    const top = Object.fromEntries(SCENARIO_FIELDS.map((f) => [f.name, f.example]));
    const scenario = parse({
      ...top,
      designs: ['redis'],
      network: Object.fromEntries(NETWORK_FIELDS.map((f) => [f.name, f.example])),
      workload: Object.fromEntries(WORKLOAD_FIELDS.map((f) => [f.name, f.example])),
    });
    expect(scenario.seed).toBe(7);
    expect(scenario.durationUs).toBe(20_000_000);
    expect(scenario.workload).toMatchObject({ clients: 2, sections: 3, fencing: 'writes', checkBeforeWrite: true, staggerUs: 50_000 });
    expect(scenario.network.latencyUs).toEqual({ minUs: 2_000, maxUs: 8_000 });
  });

  it('documents every fault kind once', () => {
    expect(FAULT_KIND_DOCS.map((d) => d.kind)).toEqual([...FAULT_KINDS]);
  });

  it.each(FAULT_KIND_DOCS.map((d) => [d.kind, d] as const))('%s: every example is valid, and together they use every documented field', (kind, doc) => {
    expect(doc.examples.length).toBeGreaterThan(0);
    const used = new Set<string>();
    for (const example of doc.examples) {
      expect(example.kind).toBe(kind);
      const scenario = parse(withFault(example));
      expect(scenario.faults[0].kind).toBe(kind);
      for (const field of Object.keys(example)) used.add(field);
    }
    const documented = new Set([...FAULT_TRIGGER_FIELDS, ...doc.fields].map((f) => f.name));
    for (const field of used) expect(documented, `${kind} example uses undocumented "${field}"`).toContain(field);
    for (const f of doc.fields) expect(used, `no ${kind} example uses "${f.name}"`).toContain(f.name);
  });

  it('the trigger fields and the "on" fields', () => {
    const used = new Set(FAULT_KIND_DOCS.flatMap((d) => d.examples.flatMap((e) => Object.keys(e))));
    for (const f of FAULT_TRIGGER_FIELDS) expect(used, `no example uses "${f.name}"`).toContain(f.name);
    for (const f of FAULT_ON_FIELDS) {
      expect(() => parse(withFault({ on: { event: 'acquired', [f.name]: f.example }, kind: 'heal' })), `on.${f.name}`).not.toThrow();
    }
  });
});

describe('every field the loader accepts is documented', () => {
  it('top level', () => {
    expect(acceptedFields({ ...BASE, zzzUnknown: 1 })).toEqual(names(SCENARIO_FIELDS));
  });

  it('network', () => {
    expect(acceptedFields({ ...BASE, network: { zzzUnknown: 1 } })).toEqual(names(NETWORK_FIELDS));
  });

  it('workload', () => {
    expect(acceptedFields({ ...BASE, workload: { zzzUnknown: 1 } })).toEqual(names(WORKLOAD_FIELDS));
  });

  it('an "on" trigger', () => {
    expect(acceptedFields(withFault({ on: { event: 'acquired', zzzUnknown: 1 }, kind: 'heal' }))).toEqual(names(FAULT_ON_FIELDS));
  });

  it.each(FAULT_KIND_DOCS.map((d) => [d.kind, d] as const))('each fault kind: %s', (kind, doc) => {
    const accepted = acceptedFields(withFault({ ...doc.examples[0], zzzUnknown: 1 }));
    expect(accepted).toEqual([...new Set([...names(FAULT_TRIGGER_FIELDS), ...names(doc.fields)])].sort());
  });
});

describe('list shows the fields', () => {
  async function list(args: string[]): Promise<string> {
    let stdout = '';
    const io: CliIo = { stdout: (s) => void (stdout += s), stderr: () => undefined, isTTY: false, env: {} };
    expect(await main(['list', ...args], io)).toBe(0);
    return stdout;
  }

  it('as text: each section, and each field with its type, default and meaning', async () => {
    const text = await list([]);
    const section = (title: string, next: string): string => text.slice(text.indexOf(title), text.indexOf(next, text.indexOf(title)));
    const line = (f: FieldDoc): string => `${f.name}: ${f.type}, ${f.default.startsWith('required') ? '' : 'default '}${f.default}  ${f.meaning}`;
    for (const f of SCENARIO_FIELDS) expect(section('Scenario fields', 'Network fields')).toContain(line(f));
    for (const f of NETWORK_FIELDS) expect(section('Network fields', 'Workload fields')).toContain(line(f));
    for (const f of WORKLOAD_FIELDS) expect(section('Workload fields', 'Fault kinds')).toContain(line(f));
    const faults = section('Fault kinds', 'Linearizability models');
    for (const f of [...FAULT_TRIGGER_FIELDS, ...FAULT_ON_FIELDS]) expect(faults).toContain(line(f));
    for (const doc of FAULT_KIND_DOCS) {
      const start = faults.indexOf(`  ${doc.kind}  ${doc.meaning}`);
      expect(start, doc.kind).toBeGreaterThan(-1);
      const block = faults.slice(start).split('\n').slice(1);
      const own = block.slice(0, block.findIndex((l) => !l.startsWith('      ')));
      expect(own.map((l) => l.trim())).toEqual(doc.fields.length === 0 ? ['(no fields of its own)'] : doc.fields.map(line));
    }
  });

  it('as JSON, under "fields"', async () => {
    const listed = JSON.parse(await list(['--json'])) as {
      fields: Record<string, Array<{ name: string; type: string; default: string; meaning: string }>> & { faultKinds: Record<string, { meaning: string; fields: Array<{ name: string }> }> };
    };
    const strip = (fields: readonly FieldDoc[]): object[] => fields.map(({ name, type, default: d, meaning }) => ({ name, type, default: d, meaning }));
    expect(listed.fields.scenario).toEqual(strip(SCENARIO_FIELDS));
    expect(listed.fields.network).toEqual(strip(NETWORK_FIELDS));
    expect(listed.fields.workload).toEqual(strip(WORKLOAD_FIELDS));
    expect(listed.fields.faultTrigger).toEqual(strip(FAULT_TRIGGER_FIELDS));
    expect(listed.fields.faultOn).toEqual(strip(FAULT_ON_FIELDS));
    expect(Object.keys(listed.fields.faultKinds)).toEqual([...FAULT_KINDS]);
    for (const doc of FAULT_KIND_DOCS) expect(listed.fields.faultKinds[doc.kind].fields).toEqual(strip(doc.fields));
    expect((listed as unknown as { limits: unknown }).limits).toEqual(SCENARIO_LIMITS);
  });

  it('with the loader\'s limits', async () => {
    const text = await list([]);
    const limits = text.slice(text.indexOf('\nLimits'), text.indexOf('Linearizability models'));
    expect(SCENARIO_LIMITS.length).toBeGreaterThan(0);
    for (const l of SCENARIO_LIMITS) expect(limits).toContain(`  ${l.field}: ${l.limit}\n`);
  });
});

describe('README', () => {
  it('shows the same scenario in JSON and in YAML', () => {
    const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
    const section = readme.slice(readme.indexOf('## A scenario, by example'), readme.indexOf('\n## ', readme.indexOf('## A scenario, by example') + 1));
    const json = /```json\n([\s\S]*?)```/.exec(section);
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section);
    expect(json, 'a JSON example').not.toBeNull();
    expect(yaml, 'a YAML example').not.toBeNull();
    const fromJson = JSON.parse(json![1]) as unknown;
    const fromYaml = parseYaml(yaml![1]) as unknown;
    expect(fromYaml).toEqual(fromJson);
    expect(parse(fromYaml)).toEqual(parse(fromJson));
  });
});
