import Hummingbird
import Logging
import SQLiteDB

/// Turns every error into a JSON answer and marks every answer `Cache-Control: no-store`.
///
/// - `ServiceError`: its own status and body.
/// - Hummingbird's errors (unknown route 404, body over the cap 413, undecodable body 400, a
///   missing path parameter): the same status with a JSON body.
/// - SQLite busy or interrupted, cancellation: 503.
/// - Anything else: 500, logged with its type only (an error's text could carry member data).
struct ErrorMappingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.answer(for: error, context: context)
        }
        response.headers[.cacheControl] = "no-store"
        return response
    }

    static func answer(for error: any Error, context: Context) -> Response {
        let mapped = map(error, logger: context.logger)
        var response = JSONAnswer.response(ErrorBody(mapped), status: mapped.status)
        if mapped.status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static func map(_ error: any Error, logger: Logger) -> ServiceError {
        switch error {
        case let error as ServiceError:
            return error
        case let error as HTTPError:
            return ServiceError(error.status, error.body ?? defaultMessage(error.status))
        case let error as any HTTPResponseError:
            return ServiceError(error.status, defaultMessage(error.status))
        case let error as SQLiteError where error.isInterrupted:
            return .timeout
        case let error as SQLiteError where error.isBusy:
            return .busy
        case is CancellationError:
            return .timeout
        default:
            logger.error("unexpected error", metadata: ["error.type": "\(type(of: error))"])
            return .internalError
        }
    }

    static func defaultMessage(_ status: HTTPResponse.Status) -> String {
        switch status.code {
        case 400: "the request is not well formed"
        case 404: "no such resource (see GET /v1/openapi.json for the routes)"
        case 405: "this method is not allowed here"
        case 413: ServiceError.tooLarge.message
        default: status.reasonPhrase
        }
    }
}
