import Hummingbird

/// Lets a request through only with `Authorization: Bearer TOKEN` for the service's token;
/// otherwise 401. The comparison takes the same time whatever the presented token is.
struct AuthMiddleware<Context: RequestContext>: RouterMiddleware {
    private let token: [UInt8]

    init(token: String) { self.token = Array(token.utf8) }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], let presented = Self.bearer(header),
              ConstantTime.equal(Array(presented.utf8), token) else {
            throw ServiceError.unauthorized
        }
        return try await next(request, context)
    }

    /// The credentials of a `Bearer` authorization header (scheme case-insensitive).
    static func bearer(_ header: String) -> Substring? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        return parts[1].drop { $0 == " " }
    }
}

/// Comparison whose time does not depend on where two byte strings differ.
enum ConstantTime {
    /// Whether `given` equals `expected`. Reads every byte of `expected` whatever `given` is, so
    /// the time depends only on the secret's length (which is not secret: 64 hex digits).
    static func equal(_ given: [UInt8], _ expected: [UInt8]) -> Bool {
        var difference: UInt8 = given.count == expected.count ? 0 : 1
        for index in 0..<expected.count {
            let other = index < given.count ? given[index] : 0
            difference |= expected[index] ^ other
        }
        return difference == 0
    }
}
