/// How `lbp serve` runs: where it listens, the database it answers from, the token, TLS.
public struct ServiceConfiguration: Sendable {
    /// The address to listen on; loopback unless TLS and a token file are given.
    public var host: String
    /// The port; 0 picks a free one.
    public var port: Int
    /// The history database (opened read-only by the pool).
    public var databasePath: String
    /// The bearer token every route but `GET /` requires.
    public var token: String
    /// Certificate and key files (PEM) for HTTPS; nil serves plain HTTP (loopback only).
    public var tls: TLSFiles?
    /// Read-only connections (and threads) in the pool.
    public var readConnections: Int
    /// A request that runs longer is interrupted and answered 503.
    public var requestTimeout: Duration

    public init(host: String = "127.0.0.1", port: Int = 8080, databasePath: String, token: String, tls: TLSFiles? = nil,
                readConnections: Int = 4, requestTimeout: Duration = .seconds(2)) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.token = token
        self.tls = tls
        self.readConnections = readConnections
        self.requestTimeout = requestTimeout
    }
}

/// A PEM certificate chain and private key for HTTPS.
public struct TLSFiles: Sendable, Equatable {
    public var certificate: String
    public var privateKey: String

    public init(certificate: String, privateKey: String) {
        self.certificate = certificate
        self.privateKey = privateKey
    }
}

/// Why the service cannot start, in one line for the user (paths and settings, never member data).
public struct ServiceStartError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
