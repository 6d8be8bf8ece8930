import Foundation
import Hummingbird
import HummingbirdTesting
import Service
import SQLiteDB
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Time limits and the read pool: a request past its limit is answered 503 and its database work
/// is interrupted; the pool's connections stay usable.
struct LimitsTests {
    /// A query that runs until it is interrupted.
    static let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"

    @Test func cancellingAReadInterruptsItAndTheConnectionServesTheNextRead() async throws {
        let book = try SampleBook(months: 1, decide: false)
        let pool = try ReadPool(path: book.path, size: 1)
        let started = AsyncStream<Void>.makeStream()
        let read = Task {
            try await pool.read { db -> Int64? in
                started.continuation.yield()
                return try db.scalarInt(Self.endless)
            }
        }
        var iterator = started.stream.makeAsyncIterator()
        await iterator.next()
        read.cancel()
        do {
            _ = try await read.value
            Issue.record("an endless read returned")
        } catch let error as SQLiteError {
            #expect(error.isInterrupted)
        }
        // Same (only) connection: not left in a transaction, answers at once.
        let spans = try await pool.read { db in try db.scalarInt("SELECT count(*) FROM eligibility_span") }
        #expect(spans == (try book.db.scalarInt("SELECT count(*) FROM eligibility_span")))
        #expect((spans ?? 0) > 20)
        let inTransaction = try await pool.read { db in db.inTransaction }
        #expect(inTransaction, "each read runs in its own read transaction")
    }

    @Test func aReadCancelledBeforeItStartsNeverRuns() async throws {
        let book = try SampleBook(months: 1, decide: false)
        let pool = try ReadPool(path: book.path, size: 1)
        let ran = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await pool.read { _ in true }
        }
        await #expect(throws: CancellationError.self) { try await ran.value }
    }

    /// A client that sends its headers and only part of its body: the handler waits for the rest
    /// until the time limit, then the service answers 503 (and the log says so).
    @Test func aSlowRequestIsAnswered503() async throws {
        let book = try SampleBook(months: 1, decide: false)
        let logs = LogCapture()
        try await makeApp(book, logs: logs, timeout: .milliseconds(300)).test(.live) { client in
            let port = try #require(client.port)
            let answer = try await offThePool { try RawHTTP.exchange(port: port, request:
                "POST /v1/check HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(testToken)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"claim\": {") }
            #expect(answer.hasPrefix("HTTP/1.1 503"), "\(answer.prefix(200))")
            #expect(answer.lowercased().contains("cache-control: no-store"))
            #expect(answer.contains("the request took longer than the service's time limit"))
        }
        #expect(logs.all.contains { $0.contains("route=/v1/check") && $0.contains("status=503") })
    }
}

/// One HTTP/1.1 exchange over a plain loopback socket, for requests no client library sends
/// (an unfinished body). Reads until the answer is complete, the server closes, or 30 s pass.
enum RawHTTP {
    struct Failure: Error { let what: String }

    static func exchange(port: Int, request: String) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(what: "socket") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(what: "connect") }
        let bytes = Array(request.utf8)
        guard bytes.withUnsafeBytes({ send(fd, $0.baseAddress, $0.count, 0) }) == bytes.count else { throw Failure(what: "send") }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count <= 0 { break }
            received += buffer[0..<count]
            // The whole answer is in once the body announced by Content-Length has arrived.
            if let text = String(validating: received, as: UTF8.self), let end = text.range(of: "\r\n\r\n"),
               let length = text[..<end.lowerBound].split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") })
                .flatMap({ Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) }),
               text.utf8.count - text[..<end.upperBound].utf8.count >= length {
                break
            }
        }
        return String(decoding: received, as: UTF8.self)
    }
}
