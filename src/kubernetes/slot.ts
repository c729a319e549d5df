/** One of the two deployments of a blue/green release. */
export enum Slot {
  /** The blue slot. */
  BLUE = 'blue',
  /** The green slot. */
  GREEN = 'green',
}
