import ArgumentParser
import SQLiteDB
import Dispatch
import History
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import Service

#if canImport(Glibc)
import Glibc
#endif

/// `lbp serve`: the adjudication service (HTTP API and the adjudicators' page) over the database.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Answer claims systems and adjudicators over HTTP: pre-payment checks, decisions, timelines, a page.",
        discussion: """
            Every route but GET / needs Authorization: Bearer TOKEN. The token comes from --token-file \
            (readable by its owner only), else it is generated and written owner-only next to the \
            database (its path is printed on stderr). Listens on loopback unless --token-file, \
            --tls-cert and --tls-key are all given. Prints one line on stdout when listening; stops \
            on SIGINT or SIGTERM. Logs (stderr) carry method, route, status, time and request id only.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on (a non-loopback address needs --token-file and TLS).")
    var host = "127.0.0.1"
    @Option(help: "The port to listen on (0 picks a free one).")
    var port = 8080
    @Option(name: .customLong("token-file"), help: ArgumentHelp("A file holding the bearer token, readable by its owner only.", valueName: "file"))
    var tokenFile: String?
    @Option(name: .customLong("tls-cert"), help: ArgumentHelp("PEM certificate chain for HTTPS.", valueName: "file"))
    var tlsCertificate: String?
    @Option(name: .customLong("tls-key"), help: ArgumentHelp("PEM private key for HTTPS.", valueName: "file"))
    var tlsKey: String?

    func validate() throws {
        guard (0...65_535).contains(port) else { throw ValidationError("--port must be from 0 to 65535") }
        if (tlsCertificate == nil) != (tlsKey == nil) { throw ValidationError("--tls-cert and --tls-key go together") }
        if let refusal = ListenAddress.refusal(host: host, hasTokenFile: tokenFile != nil, hasTLS: tlsCertificate != nil) {
            throw ValidationError(refusal)
        }
    }

    func run() throws {
        let configuration: ServiceConfiguration
        do {
            // Check the database once, and upgrade it when this binary has migrations it lacks; the
            // service then reads it through read-only connections.
            do {
                _ = try database.openForReading()
            } catch Migrator.Failure.olderSchema {
                _ = try database.open()
            }
            configuration = ServiceConfiguration(
                host: host, port: port, databasePath: database.path, token: try token(),
                tls: tlsCertificate.map { TLSFiles(certificate: $0, privateKey: tlsKey ?? "") })
        } catch {
            throw report(error)
        }
        let app = try application(configuration)
        try Self.untilDone { try await app.runService() }
    }

    /// Runs `operation` on Swift's cooperative threads and blocks this thread until it ends.
    ///
    /// `lbp`'s root command stays synchronous so every other subcommand keeps running on the main
    /// thread (the reliability tests watch its system calls); the server is the one async part.
    private static func untilDone(_ operation: @escaping @Sendable () async throws -> Void) throws {
        let failure = NIOLockedValueBox<(any Error)?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            do { try await operation() } catch { failure.withLockedValue { $0 = error } }
            done.signal()
        }
        done.wait()
        if let error = failure.withLockedValue({ $0 }) { throw error }
    }

    /// The service, announcing its address on stdout once it listens.
    private func application(_ configuration: ServiceConfiguration) throws -> some ApplicationProtocol {
        let logger = Logger(label: "lbp-serve") { label in StreamLogHandler.standardError(label: label) }
        let scheme = configuration.tls == nil ? "http" : "https"
        let host = ListenAddress.urlHost(configuration.host)
        do {
            return try ServiceApplication.build(configuration, logger: logger) { port in
                print("lbp serve: listening on \(scheme)://\(host):\(port)")
                fflush(nil)
            }
        } catch {
            throw report(error)
        }
    }

    /// The token: from --token-file, else the generated file beside the database (path on stderr).
    private func token() throws -> String {
        if let tokenFile { return try TokenFile.read(path: tokenFile) }
        let generated = try TokenFile.generated(forDatabase: database.path)
        printToStderr("lbp serve: bearer token \(generated.created ? "written to" : "read from") \(generated.path) (owner-only)\n")
        return generated.token
    }

    private func report(_ error: any Error) -> any Error {
        if let error = error as? ServiceStartError {
            printError(error.message)
            return ExitCode.failure
        }
        if let error = error as? UserFacingError {
            printError(error.message)
            return error.exitCode
        }
        let (message, code) = describe(error, database: database.path)
        printError(message)
        return code
    }
}
