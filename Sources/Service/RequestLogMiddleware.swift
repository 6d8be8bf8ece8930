import Hummingbird
import Logging

/// Logs one line per request on the service's logger (stderr): method, route template, status,
/// milliseconds and the request id.
///
/// Never the path as sent, the query string, headers or bodies: those carry member and claim
/// ids (and the token). The route template (`/v1/lines/{claim_id}/{line}`) carries none.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            log(request, context: context, status: response.status.code, since: start)
            return response
        } catch {
            log(request, context: context, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func log(_ request: Request, context: Context, status: Int, since start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let ms = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        context.logger.info("request", metadata: [
            "method": "\(request.method.rawValue)",
            "route": "\(Self.template(context.endpointPath))",
            "status": "\(status)",
            "ms": "\(Self.format(ms))",
        ])
    }

    /// The route template as registered (`{name}` for each parameter), or `-` when no route matched.
    static func template(_ path: String?) -> String {
        guard let path, path != "NotFound" else { return "-" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }.joined(separator: "/")
    }

    /// Milliseconds with two decimals, without Foundation's formatter.
    static func format(_ ms: Double) -> String {
        let hundredths = Int((ms * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}
