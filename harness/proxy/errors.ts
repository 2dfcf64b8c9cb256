// Errors of the Toxiproxy API, with Toxiproxy's messages and status codes.
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }

  toJSON(): { error: string; status: number } {
    return { error: this.message, status: this.status };
  }
}

export const badRequestBody = (detail: string) => new ApiError(`bad request body: ${detail}`, 400);
export const missingField = (field: string) => new ApiError(`missing required field: ${field}`, 400);
export const proxyNotFound = () => new ApiError("proxy not found", 404);
export const proxyAlreadyExists = () => new ApiError("proxy already exists", 409);
export const invalidStream = () => new ApiError("stream was invalid, can be either upstream or downstream", 400);
export const invalidToxicType = () => new ApiError("invalid toxic type", 400);
export const toxicAlreadyExists = () => new ApiError("toxic already exists", 409);
export const toxicNotFound = () => new ApiError("toxic not found", 404);
