import { HttpMethod } from '../strategy/http-method';

/** The safe methods, in the order routes list them. */
export const SAFE_METHODS: readonly HttpMethod[] = [HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS];
/** The methods that write, in the order routes list them. */
export const WRITE_METHODS: readonly HttpMethod[] = [HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.DELETE];
