import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// `lbp serve` as a user runs it: one line on stdout with the real port, a generated token beside
/// the database, answers over loopback, a clean stop on SIGTERM; refusals in one line.
@Suite(.serialized)
struct ServeCommandTests {
    /// A running `lbp serve`, stopped (SIGTERM) when released.
    ///
    /// `@unchecked Sendable` (a test helper): a test hands it to one thread at a time (the one that
    /// waits on the process), never to two at once.
    final class Server: @unchecked Sendable {
        let process = Process()
        let stdout = Pipe(), stderr = Pipe()
        private(set) var firstLine = ""

        init(_ arguments: [String], in directory: String) throws {
            process.executableURL = lbpExecutableURL()
            process.arguments = ["serve"] + arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.environment = ["PATH": "/usr/bin:/bin", "HOME": directory]
            process.standardOutput = stdout
            process.standardError = stderr
            process.standardInput = FileHandle.nullDevice
            try process.run()
            // The first line, byte by byte (EOF when the server could not start).
            var bytes: [UInt8] = []
            while true {
                let data = stdout.fileHandleForReading.readData(ofLength: 1)
                guard let byte = data.first, byte != 10 else { break }
                bytes.append(byte)
            }
            firstLine = String(decoding: bytes, as: UTF8.self)
        }

        /// SIGTERM, then the exit status and what it wrote on stderr.
        func stop() -> (status: Int32, stderr: String) {
            if process.isRunning { process.terminate() }
            let errors = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: errors, as: UTF8.self))
        }

        deinit { if process.isRunning { process.terminate(); process.waitUntilExit() } }
    }

    @Test func servesOnAFreePortAndStopsOnSIGTERM() throws {
        let book = try SampleBook()
        let server = try Server(["--port", "0", "--database", book.path], in: book.history.directory.path)
        let prefix = "lbp serve: listening on http://127.0.0.1:"
        #expect(server.firstLine.hasPrefix(prefix), "\(server.firstLine)")
        let port = try #require(Int(server.firstLine.dropFirst(prefix.count)))
        #expect(port > 0 && port != 8080)

        let tokenPath = book.path + ".token"
        var info = stat()
        #expect(stat(tokenPath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let token = try String(contentsOfFile: tokenPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let health = try RawHTTP.exchange(port: port, request:
            "GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n")
        #expect(health.hasPrefix("HTTP/1.1 200"), "\(health.prefix(200))")
        #expect(health.contains("\"status\":\"ok\""))
        let denied = try RawHTTP.exchange(port: port, request: "GET /v1/lines/C01102/1 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        #expect(denied.hasPrefix("HTTP/1.1 401"))

        let stopped = server.stop()
        #expect(stopped.status == 0, "\(stopped.stderr)")
        #expect(stopped.stderr.contains("lbp serve: bearer token written to \(tokenPath) (owner-only)"))
        #expect(stopped.stderr.contains("route=/v1/health") && stopped.stderr.contains("status=200"))
        #expect(stopped.stderr.contains("route=/v1/lines/{claim_id}/{line}") && stopped.stderr.contains("status=401"))
        #expect(!stopped.stderr.contains("C01102") && !stopped.stderr.contains(token))
        #expect(try String(contentsOfFile: tokenPath, encoding: .utf8).contains(token), "the token file is kept for the next start")
    }

    static let tools = ["/usr/bin/openssl", "/usr/bin/curl"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }

    /// With `--tls-cert/--tls-key` the service speaks HTTPS only (a self-signed certificate made
    /// by openssl; curl as the client).
    @Test(.enabled(if: tools, "openssl and curl are needed for the TLS test"))
    func servesHTTPSWithACertificate() async throws {
        let book = try SampleBook(months: 1, decide: false)
        let directory = book.history.directory
        let made = try await runProcess("/usr/bin/openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                                                              "-keyout", directory.file("key.pem"), "-out", directory.file("cert.pem")])
        #expect(made.status == 0, "\(made.output)")
        let server = try await offThePool {
            try Server(["--port", "0", "--tls-cert", directory.file("cert.pem"), "--tls-key", directory.file("key.pem"),
                        "--database", book.path], in: directory.path)
        }
        let prefix = "lbp serve: listening on https://127.0.0.1:"
        #expect(server.firstLine.hasPrefix(prefix), "\(server.firstLine)")
        let port = Int(server.firstLine.dropFirst(prefix.count)) ?? 0
        let token = try String(contentsOfFile: book.path + ".token", encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let https = try await runProcess("/usr/bin/curl", ["-sk", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
                                                            "-H", "Authorization: Bearer \(token)", "https://127.0.0.1:\(port)/v1/health"], errorsApart: true)
        #expect(https.output == "200")
        let plain = try await runProcess("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20",
                                                            "http://127.0.0.1:\(port)/v1/health"], errorsApart: true)
        #expect(plain.output == "000", "no answer in clear text")
        let stopped = try await offThePool { server.stop() }
        #expect(stopped.status == 0, "\(stopped.stderr)")
    }

    /// A database written before the newest migration: reading commands say what to run, and
    /// `lbp serve` applies the migration once, then serves it.
    @Test func aDatabaseThatNeedsAnUpgradeIsUpgradedByServe() throws {
        let book = try SampleBook(months: 1, decide: false)
        try book.db.execute("""
            DELETE FROM schema_migration WHERE name = 'm0004_imaging_lines_by_day';
            DROP INDEX line_category_by_day;
            CREATE INDEX line_category_by_category ON line_category(category, member_id, service_day);
            """)
        let directory = book.history.directory.path
        let ledger = try runLBP(["ledger", "--database", book.path], in: directory)
        #expect(ledger.exitCode == 1)
        #expect(ledger.stderr == "lbp: \(book.path): the database was written by an older version of lbp and needs an upgrade "
                + "(schema m0004_imaging_lines_by_day); run a command that writes, such as `lbp decide`, once to apply it\n")

        let server = try Server(["--port", "0", "--database", book.path], in: directory)
        #expect(server.firstLine.hasPrefix("lbp serve: listening on http://127.0.0.1:"), "\(server.firstLine)")
        #expect(server.stop().status == 0)
        #expect(try book.db.scalarInt("SELECT count(*) FROM schema_migration WHERE name = 'm0004_imaging_lines_by_day'") == 1)
        #expect(try runLBP(["ledger", "--database", book.path], in: directory).exitCode == 0)
    }

    @Test func refusals() throws {
        let book = try SampleBook(months: 1, decide: false)
        let directory = book.history.directory
        let open = try runLBP(["serve", "--host", "0.0.0.0", "--port", "0", "--database", book.path], in: directory.path)
        #expect(open.exitCode == 64)
        #expect(open.stdout.isEmpty)
        #expect(open.stderr.contains("0.0.0.0 is not a loopback address: serving member data beyond this machine needs --token-file FILE and --tls-cert FILE --tls-key FILE"))

        let loose = directory.write("token", "0123456789abcdef0123\n")
        chmod(loose, 0o644)
        let refused = try runLBP(["serve", "--port", "0", "--token-file", loose, "--database", book.path], in: directory.path)
        #expect(refused.exitCode == 1)
        #expect(refused.stderr == "lbp: \(loose): the token file must belong to this user and be readable by its owner only (chmod 600 \(loose))\n")

        let missing = try runLBP(["serve", "--port", "0", "--database", directory.file("none.sqlite")], in: directory.path)
        #expect(missing.exitCode != 0)
        #expect(missing.stderr.hasPrefix("lbp: no database at "))
        #expect(!FileManager.default.fileExists(atPath: directory.file("none.sqlite.token")))
    }
}
