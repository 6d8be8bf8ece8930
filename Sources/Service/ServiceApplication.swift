import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL

/// Builds the adjudication service: the read pool, the router with its middleware and
/// controllers, and the HTTP (or HTTPS) server.
///
/// ```swift
/// let app = try ServiceApplication.build(configuration, logger: logger) { port in print(port) }
/// try await app.runService()     // stops on SIGINT/SIGTERM
/// ```
public enum ServiceApplication {
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    /// - Throws: `ServiceStartError` (TLS files unusable), `SQLiteError` (database cannot be opened).
    public static func build(_ configuration: ServiceConfiguration, logger: Logger,
                             onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let pool = try ReadPool(path: configuration.databasePath, size: configuration.readConnections)
        let server: HTTPServerBuilder = try configuration.tls.map { try .tls(.http1(), tlsConfiguration: tlsConfiguration($0)) } ?? .http1()
        return Application(
            router: router(pool: pool, configuration: configuration),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            services: [pool],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    /// The routes and middleware. Order matters: the request log is outermost (it sees the final
    /// status), then error mapping (JSON errors, `Cache-Control: no-store`), then the time limit;
    /// the page is public, everything under `/v1` needs the token (unknown routes too: 401
    /// without it, 404 with it).
    static func router(pool: ReadPool, configuration: ServiceConfiguration) -> Router<AppRequestContext> {
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: ErrorMappingMiddleware())
        router.add(middleware: TimeoutMiddleware(limit: configuration.requestTimeout))
        let documents = DocumentController()
        documents.registerPage(on: router)
        router.add(middleware: AuthMiddleware(token: configuration.token))
        documents.registerDocument(on: router)
        HealthController(pool: pool).register(on: router)
        CheckController(pool: pool).register(on: router)
        LinesController(pool: pool).register(on: router)
        TimelineController(pool: pool).register(on: router)
        DecisionsController(pool: pool).register(on: router)
        return router
    }

    /// The server side of TLS 1.2+ from PEM files.
    static func tlsConfiguration(_ files: TLSFiles) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(files.certificate)
        } catch {
            throw ServiceStartError("\(files.certificate): not a readable PEM certificate file")
        }
        do {
            key = try NIOSSLPrivateKey(file: files.privateKey, format: .pem)
        } catch {
            throw ServiceStartError("\(files.privateKey): not a readable PEM private key file")
        }
        guard !chain.isEmpty else { throw ServiceStartError("\(files.certificate): holds no certificate") }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }
}
