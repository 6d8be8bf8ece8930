import Foundation
import History
import Hummingbird
import HummingbirdTesting
import Ingest
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Policy
import Service
import SQLiteDB
import Testing
import TestSupport

/// The repository's folders, from this file's place in it.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let samplesFolder = repositoryRoot.appendingPathComponent("Samples")

/// The token every test server uses.
let testToken = "test-token-0123456789abcdef0123456789abcdef"

/// The sample book (eligibility and the three monthly claim files) loaded and decided in a
/// temporary database.
///
/// `@unchecked Sendable` (a test fixture): a test uses it from its own task, and the closures it
/// hands to the test client run while the test awaits them, never beside its other uses.
final class SampleBook: @unchecked Sendable {
    let history: TestHistory
    var db: Connection { history.db }
    var path: String { history.databasePath }

    /// - Parameter months: how many of the monthly claim files to load (1 ... 3).
    init(months: Int = 3, decide: Bool = true) throws {
        history = try TestHistory()
        try load(samplesFolder.appendingPathComponent("eligibility.csv").path, kind: .eligibility)
        for month in 1...months { try load(Self.claimsFile(month), kind: .claims) }
        if decide { try self.decide() }
    }

    static func claimsFile(_ month: Int) -> String {
        samplesFolder.appendingPathComponent("medical_claim_2024_0\(month).csv").path
    }

    func load(_ path: String, kind: ExtractKind) throws {
        let loader = ExtractLoader(db: db, options: .init(rejectsDirectory: history.directory.path, clock: history.clock))
        _ = try loader.load(path: path, kind: kind)
    }

    func decide() throws {
        _ = try DecideRun(db: db, policy: try PolicyStore(db).current(), clock: history.clock).run()
    }

    /// The stored current decision of a line.
    func decision(_ claimID: String, _ line: Int) throws -> Decision? {
        try DecisionStore(db).current(claimID: claimID, lineNumber: line)
    }
}

/// Log lines a test server wrote, as text (level, message, metadata).
final class LogCapture: Sendable {
    private let lines = NIOLockedValueBox<[String]>([])

    var all: [String] { lines.withLockedValue { $0 } }

    func append(_ line: String) { lines.withLockedValue { $0.append(line) } }

    var logger: Logger {
        var logger = Logger(label: "lbp-serve-test") { _ in CapturingLogHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }
}

/// Writes every log record into a `LogCapture`, formatted as the stream handler would.
struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        if let extra = event.metadata { all.merge(extra) { $1 } }
        let fields = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        capture.append("\(event.level) \(fields) \(event.message)")
    }
}

/// A service over `book` on loopback, any free port.
///
/// The time limit is generous by default: `swift test` runs these beside suites that block the
/// (2-thread) cooperative pool with child processes, which can hold an answer back for seconds.
/// `LimitsTests` tests the limit itself with a short one.
func makeApp(_ book: SampleBook, logs: LogCapture = LogCapture(), timeout: Duration = .seconds(60)) throws -> some ApplicationProtocol {
    try ServiceApplication.build(
        ServiceConfiguration(host: "127.0.0.1", port: 0, databasePath: book.path, token: testToken, readConnections: 2,
                             requestTimeout: timeout),
        logger: logs.logger)
}

/// Headers with the test token (and a content type when given).
func authorized(_ contentType: String? = nil, accept: String? = nil) -> HTTPFields {
    var headers: HTTPFields = [.authorization: "Bearer \(testToken)"]
    if let contentType { headers[.contentType] = contentType }
    if let accept { headers[.accept] = accept }
    return headers
}

extension TestResponse {
    /// The body as text.
    var text: String { String(buffer: body) }

    /// The body as a JSON object (a failed expectation and an empty object when it is not one).
    func object(sourceLocation: SourceLocation = #_sourceLocation) -> [String: Any] {
        let value = try? JSONSerialization.jsonObject(with: Data(text.utf8))
        #expect(value is [String: Any], "not a JSON object: \(text.prefix(300))", sourceLocation: sourceLocation)
        return value as? [String: Any] ?? [:]
    }
}

extension ByteBuffer {
    init(text: String) { self.init(string: text) }
}

/// `value[key]` as an array of objects.
func objects(_ value: Any?) -> [[String: Any]] { value as? [[String: Any]] ?? [] }
