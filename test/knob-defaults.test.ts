/**
 * Each design documents its knobs' defaults (for `list` and the README) and
 * also applies them when parsing: the two must agree, knob by knob.
 */
import { describe, expect, it } from 'vitest';
import { DESIGNS } from '../algorithms/index.ts';

describe('knob defaults', () => {
  for (const design of DESIGNS.names.map((name) => DESIGNS.get(name)!)) {
    it(`${design.name}: every documented default is the default the design applies`, () => {
      const applied = design.parseKnobs({}, 1);
      expect(design.knobs.length).toBeGreaterThan(0);
      for (const knob of design.knobs) {
        if (knob.name === 'permits') continue;
        expect({ knob: knob.name, parsed: design.parseKnobs({ [knob.name]: knob.default }, 1) }).toEqual({ knob: knob.name, parsed: applied });
      }
    });
  }
});
