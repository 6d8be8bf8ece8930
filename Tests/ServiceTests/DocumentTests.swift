import Foundation
import Hummingbird
import HummingbirdTesting
import NIOConcurrencyHelpers
import Testing

/// Real answers of every route (successes and errors) fit the OpenAPI document the service serves.
struct DocumentTests {
    struct Answer: Encodable {
        let path: String
        let method: String
        let status: Int
        let contentType: String
        let body: String
        enum CodingKeys: String, CodingKey { case path, method, status, body, contentType = "content_type" }
    }

    @Test func everyAnswerFitsTheDocument() async throws {
        let book = try SampleBook()
        let check = try CheckRouteTests.json(try CheckRouteTests.body(of: "C01102", in: book.db))
        let batch = ByteBuffer(text: String(buffer: check) + "\n{broken\n" + String(buffer: try CheckRouteTests.claim { $0["claim_type"] = "x" }) + "\n")
        let void = try CheckRouteTests.claim { $0["claim_frequency_code"] = "8" }
        let calls: [(template: String, method: HTTPRequest.Method, uri: String, headers: HTTPFields, body: ByteBuffer?)] = [
            ("/", .get, "/", [:], nil),
            ("/v1/health", .get, "/v1/health", authorized(), nil),
            ("/v1/health", .get, "/v1/health", [:], nil),
            ("/v1/openapi.json", .get, "/v1/openapi.json", authorized(), nil),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), check),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), try CheckRouteTests.claim { _ in }),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), void),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), ByteBuffer(text: "{")),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), try CheckRouteTests.claim { $0["claim_start_date"] = "x" }),
            ("/v1/check", .post, "/v1/check", authorized("application/edi-x12"), ByteBuffer(text: "ISA")),
            ("/v1/check", .post, "/v1/check", authorized("text/plain"), ByteBuffer(text: "hello")),
            ("/v1/check", .post, "/v1/check", authorized("application/json"), ByteBuffer(repeating: 32, count: (2 << 20) + 10)),
            ("/v1/check/batch", .post, "/v1/check/batch", authorized("application/x-ndjson"), batch),
            ("/v1/lines/{claim_id}/{line}", .get, "/v1/lines/C01102/1", authorized(), nil),
            ("/v1/lines/{claim_id}/{line}", .get, "/v1/lines/C02101/2", authorized(), nil),
            ("/v1/lines/{claim_id}/{line}", .get, "/v1/lines/C01102/7", authorized(), nil),
            ("/v1/lines/{claim_id}/{line}", .get, "/v1/lines/C01102/x", authorized(), nil),
            ("/v1/lines/{claim_id}", .get, "/v1/lines/C00201", authorized(), nil),
            ("/v1/lines/{claim_id}", .get, "/v1/lines/NONE", authorized(), nil),
            ("/v1/members/{member_id}/timeline", .get, "/v1/members/M017/timeline", authorized(), nil),
            ("/v1/members/{member_id}/timeline", .get, "/v1/members/M009/timeline?from=2024-01-01", authorized(), nil),
            ("/v1/members/{member_id}/timeline", .get, "/v1/members/NOBODY/timeline", authorized(), nil),
            ("/v1/members/{member_id}/timeline", .get, "/v1/members/M009/timeline?to=bad", authorized(), nil),
            ("/v1/decisions", .get, "/v1/decisions", authorized(), nil),
            ("/v1/decisions", .get, "/v1/decisions?limit=2&outcome=DENY", authorized(), nil),
            ("/v1/decisions", .get, "/v1/decisions?limit=2", authorized(accept: "text/csv"), nil),
            ("/v1/decisions", .get, "/v1/decisions?cursor=zzz", authorized(), nil),
        ]
        let answers = try await makeApp(book).test(.router) { client in
            var answers: [Answer] = []
            for call in calls {
                answers.append(try await client.execute(uri: call.uri, method: call.method, headers: call.headers, body: call.body) { response in
                    Answer(path: call.template, method: call.method.rawValue.lowercased(), status: response.status.code,
                           contentType: response.headers[.contentType] ?? "", body: response.text)
                })
            }
            return answers
        }
        #expect(Set(answers.map(\.status)) == [200, 400, 401, 404, 413, 415, 422])
        let directory = book.history.directory
        let encoder = JSONEncoder()
        let lines = try answers.map { String(decoding: try encoder.encode($0), as: UTF8.self) }.joined(separator: "\n") + "\n"
        let answersPath = directory.write("answers.jsonl", lines)
        let result = try await runProcess("/usr/bin/env", ["python3", repositoryRoot.appendingPathComponent("Scripts/validate-openapi.py").path,
                                                      repositoryRoot.appendingPathComponent("Sources/Service/openapi.json").path, answersPath])
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.contains("validate-openapi: \(calls.count) answers checked, 0 misfits"), "\(result.output)")
    }
}

/// Runs a program to its end on a thread of its own (never blocking the cooperative pool the
/// test servers answer on); its exit status and stdout (+ stderr unless `errorsApart`).
func runProcess(_ path: String, _ arguments: [String], errorsApart: Bool = false) async throws -> (status: Int32, output: String) {
    try await offThePool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = errorsApart ? FileHandle.nullDevice : pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

/// Runs blocking work (a socket read, a child process) on a new thread and awaits it: with 2
/// cores the cooperative pool has 2 threads, and a test server needs them to answer.
func offThePool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result(catching: body)) }.start()
    }
}
