import Hummingbird
import Logging

/// The request context of the adjudication service: Hummingbird's core storage (logger with the
/// request id, route template, path parameters) and a 2 MiB upload cap.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }

    /// Bodies over 2 MiB are refused with 413.
    public var maxUploadSize: Int { ServiceLimits.maxBodyBytes }
}

/// The fixed limits of the service.
public enum ServiceLimits {
    /// The largest request body read (2 MiB); larger ones get 413.
    public static let maxBodyBytes = 2 << 20
    /// The most claims one `POST /v1/check/batch` takes.
    public static let maxBatchClaims = 1_000
    /// The most decisions one page of `GET /v1/decisions` holds.
    public static let maxPageSize = 500
    /// The page size of `GET /v1/decisions` without `limit`.
    public static let defaultPageSize = 100
}
