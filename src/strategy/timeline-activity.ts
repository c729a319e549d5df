/** What happens during one segment of a `ReleaseTimeline`. */
export enum TimelineActivity {
  /** The traffic weight changes (takes no time). */
  SET_WEIGHT = 'setWeight',
  /** A timed wait at the current weight. */
  BAKE = 'bake',
  /** A manual pause: the release waits for a person, for an unknown time. */
  PAUSE = 'pause',
  /** An analysis step: the release waits for its gates to complete. */
  ANALYSIS = 'analysis',
  /** The new version is scaled independently of its weight (takes no time). */
  CANARY_SCALE = 'setCanaryScale',
  /** Requests matching headers start going to the new version (takes no time). */
  HEADER_ROUTE = 'headerRoute',
  /** A share of requests starts being copied to the new version (takes no time). */
  MIRROR = 'mirror',
  /** After the last step the engine sends all traffic to the new version. */
  PROMOTE = 'promote',
}
