/** OpenAI-style error: `{ error: { message, type, param, code } }` with an HTTP status. */
export type ApiErrorType = 'invalid_request_error' | 'authentication_error' | 'not_found_error' | 'rate_limit_error' | 'server_error';

export type ApiErrorCode =
  | 'invalid_json'
  | 'invalid_body'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'missing_required_parameter'
  | 'invalid_type'
  | 'invalid_value'
  | 'unsupported_parameter'
  | 'context_length_exceeded'
  | 'model_not_found'
  | 'model_exists'
  | 'invalid_api_key'
  | 'not_found'
  | 'method_not_allowed'
  | 'rate_limit_exceeded'
  | 'internal_error';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    readonly code: ApiErrorCode,
    message: string,
    readonly param: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toJSON() {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export const invalid = (code: ApiErrorCode, message: string, param: string | null = null) =>
  new ApiError(400, 'invalid_request_error', code, message, param);
