/**
 * Errors the dashboard's API client throws, one per condition, so views can tell "log in again"
 * from "you may not" from "the controller refused this input".
 *
 * @example
 * try { await api.post('/api/alerts/3/ack'); } catch (e) { if (e instanceof ForbiddenError) ... }
 */

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly issues: string[] = [],
    /** The response body as the controller sent it (JSON), for views that read more of it. */
    readonly body?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 401: the session is missing or expired. */
export class SessionExpiredError extends ApiError {}
/** 403: logged in, but the role does not allow it. */
export class ForbiddenError extends ApiError {}
/** 404: no such resource, or the route does not exist on this controller. */
export class NotFoundError extends ApiError {}
/** 400/422: the controller refused the input; `issues` says where. */
export class RejectedInputError extends ApiError {}
