import Hummingbird
import Ingest

/// An answer that is not a success, with a body the caller can read:
/// `{"error": "...", "field": "...", "line": N}` (`field` and `line` only where they apply, as in
/// a 422 for a claim row the loader would reject).
///
/// Messages name fields, rules and limits, never a member or claim id.
public struct ServiceError: Error, HTTPResponseError, Sendable {
    public let status: HTTPResponse.Status
    public let message: String
    /// The extract column at fault (422 only).
    public let field: String?
    /// The 1-based claim line (JSON) or text line (CSV) at fault (422 only).
    public let line: Int?

    public init(_ status: HTTPResponse.Status, _ message: String, field: String? = nil, line: Int? = nil) {
        self.status = status
        self.message = message
        self.field = field
        self.line = line
    }

    /// 422 for a claim row a load would reject, naming its column and line.
    public init(_ problem: CandidateProblem) {
        self.init(.unprocessableContent, problem.message, field: problem.field, line: problem.line)
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var response = JSONAnswer.response(ErrorBody(self), status: status)
        if status == .unauthorized { response.headers[.wwwAuthenticate] = "Bearer" }
        return response
    }

    static func badRequest(_ message: String) -> ServiceError { ServiceError(.badRequest, message) }
    static func notFound(_ message: String) -> ServiceError { ServiceError(.notFound, message) }
    static let unauthorized = ServiceError(.unauthorized, "missing or wrong bearer token (send Authorization: Bearer TOKEN)")
    static let tooLarge = ServiceError(.contentTooLarge, "the request body is larger than 2 MiB")
    static let timeout = ServiceError(.serviceUnavailable, "the request took longer than the service's time limit; try again")
    static let busy = ServiceError(.serviceUnavailable, "the database is busy; try again")
    static let internalError = ServiceError(.internalServerError, "the service could not answer; the error is in its log")
}

/// The JSON body of an error answer (also what `lbp check --json` prints for a claim it cannot check).
public struct ErrorBody: Encodable, Sendable {
    let error: String
    let field: String?
    let line: Int?

    public init(_ error: ServiceError) {
        self.error = error.message
        field = error.field
        line = error.line
    }

    enum CodingKeys: String, CodingKey { case error, field, line }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(error, forKey: .error)
        try c.encodeIfPresent(field, forKey: .field)
        try c.encodeIfPresent(line, forKey: .line)
    }
}
