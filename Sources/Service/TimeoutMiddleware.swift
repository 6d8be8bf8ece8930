import Hummingbird

/// Ends a request that runs past `limit` with 503.
///
/// The handler runs in a child task; when the limit passes first, the child is cancelled: a
/// queued database read is dropped and a running one is interrupted (`ReadPool`), and reading a
/// slow request body stops.
struct TimeoutMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await withoutActuallyEscaping(next) { next in
            // Safe to send: the task group below awaits the child that calls `next` before this
            // closure returns, so `next` is never used outside the call it was given for, and it is
            // called exactly once, from one task.
            let handler = UncheckedSendable(value: next)
            return try await withThrowingTaskGroup(of: Response?.self) { group in
                group.addTask { try await handler.value(request, context) }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return nil
                }
                defer { group.cancelAll() }
                guard let first = try await group.next(), let response = first else { throw ServiceError.timeout }
                return response
            }
        }
    }
}

/// A value sent across tasks where the compiler cannot see that it is safe; each use says why.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
}
