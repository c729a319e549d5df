import { FleetTarget } from './fleet-target';
import { checkDnsLabel, checkNonEmpty, checkRange, fail } from '../private/validate';

/**
 * Which targets of the fleet a wave releases to: targets by name, by label, a share of the fleet, or
 * the rest.
 *
 * Waves are resolved against the fleet at synth time (`WavePlan.assign()`), so every engine gets a
 * fixed list of targets per wave: Argo CD gets one wave label per Application, CodePipeline one
 * deploy action per stack. Names and labels are resolved first; shares then take targets in the order
 * the fleet lists them, from those no other wave selected; `rest()` takes what is left.
 */
export class WaveTargets {
  /**
   * The targets with these names.
   * @example WaveTargets.names('prod-eu-1')
   */
  public static names(...names: string[]): WaveTargets {
    const where = 'WaveTargets.names()';
    if (names.length === 0) fail(where, 'names', 'must name at least one target', names);
    names.forEach((n, i) => checkDnsLabel(where, `names[${i}]`, n));
    if (new Set(names).size !== names.length) fail(where, 'names', 'must not repeat a name', names);
    return new WaveTargets(`names(${names.join(', ')})`, { names: [...names] });
  }

  /**
   * Every target whose labels include all of these.
   * @example WaveTargets.labels({ tier: 'edge' })
   */
  public static labels(selector: { [key: string]: string }): WaveTargets {
    const where = 'WaveTargets.labels()';
    const entries = Object.entries(selector ?? {});
    if (entries.length === 0) fail(where, 'selector', 'must have at least one label', selector);
    entries.forEach(([k, v]) => {
      checkNonEmpty(where, 'selector key', k);
      if (typeof v !== 'string') fail(where, `selector.${k}`, 'must be a string', v);
    });
    return new WaveTargets(`labels(${entries.map(([k, v]) => `${k}=${v}`).join(', ')})`, { labels: Object.fromEntries(entries) });
  }

  /**
   * `percent` percent of the whole fleet, rounded up to whole targets (25% of 10 targets is 3), taken
   * in the order the fleet lists its targets from those no other wave selected.
   * @example WaveTargets.share(25)
   */
  public static share(percent: number): WaveTargets {
    checkRange('WaveTargets.share()', 'percent', percent, 1, 100);
    return new WaveTargets(`share(${percent})`, { percent });
  }

  /** Every target no other wave selected. Only the last wave can take the rest. */
  public static rest(): WaveTargets {
    return new WaveTargets('rest()', { rest: true });
  }

  private readonly description: string;
  private readonly selection: Selection;

  private constructor(description: string, selection: Selection) {
    this.description = description;
    this.selection = selection;
  }

  /** Whether this selects the rest of the fleet. */
  public isRest(): boolean {
    return this.selection.rest === true;
  }

  /** `names(a, b)`, `labels(tier=edge)`, `share(25)` or `rest()`. */
  public toString(): string {
    return this.description;
  }

  /**
   * The targets this selects by name or label, in fleet order; `undefined` for shares and the rest,
   * which depend on the other waves. Unknown names are returned in `unknown`.
   * @internal
   */
  public _explicit(fleet: FleetTarget[]): { readonly selected: FleetTarget[]; readonly unknown: string[] } | undefined {
    const s = this.selection;
    if (s.names !== undefined) {
      const known = new Set(fleet.map((t) => t.name));
      return { selected: fleet.filter((t) => s.names!.includes(t.name)), unknown: s.names.filter((n) => !known.has(n)) };
    }
    if (s.labels !== undefined) {
      const want = Object.entries(s.labels);
      return { selected: fleet.filter((t) => want.every(([k, v]) => (t.labels ?? {})[k] === v)), unknown: [] };
    }
    return undefined;
  }

  /**
   * For a share: the number of targets it takes in a fleet of `fleetSize`.
   * @internal
   */
  public _shareOf(fleetSize: number): number | undefined {
    const p = this.selection.percent;
    return p === undefined ? undefined : Math.ceil((p * fleetSize) / 100);
  }
}

interface Selection {
  readonly names?: string[];
  readonly labels?: { [key: string]: string };
  readonly percent?: number;
  readonly rest?: boolean;
}
