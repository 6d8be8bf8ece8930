import Foundation
import History
import Hummingbird
import Ingest
import NIOCore

/// `POST /v1/check` and `POST /v1/check/batch`: the claims system's pre-payment call. A claim is
/// applied to the member's stored history as a load would apply it (same claim id replaces the
/// stored version, frequency code 8 voids it), each imaging line is decided, and nothing is stored.
///
/// `/v1/check` takes one claim as JSON (`{"claim": {...}}`), as `text/csv` in the extract
/// layout, or as an X12 837P/837I interchange (`application/edi-x12`). `/v1/check/batch` takes
/// up to 1,000 claims as JSON Lines (one `{"claim": {...}}` per line) and answers JSON Lines in
/// the same order: a check answer, or `{"index", "status", "error", "field", "line"}` for a line
/// that could not be checked. Every claim of a batch is
/// checked on the same snapshot of the history, each on its own (not on one another).
struct CheckController {
    let pool: ReadPool

    func register(on router: Router<AppRequestContext>) {
        router.post("/v1/check", use: check)
        router.post("/v1/check/batch", use: batch)
    }

    @Sendable func check(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        let rows: [ExtractRow]
        switch MediaType(request.headers[.contentType]) {
        case .json: rows = try ClaimBody.rows(json: body.readableBytesView)
        case .csv, .x12: rows = try ClaimFileBody.rows(Array(body.readableBytesView))
        case .jsonLines, .other: throw ServiceError(.unsupportedMediaType, "send the claim as application/json, text/csv or application/edi-x12 (many claims: /v1/check/batch)")
        }
        let candidate = try CheckEngine.candidate(rows)
        let answers = try await pool.read { db in try CheckEngine.check([candidate], db: db) }
        return JSONAnswer.response(answers[0])
    }

    @Sendable func batch(_ request: Request, context: AppRequestContext) async throws -> Response {
        var request = request
        let body = try await request.collectBody(upTo: context.maxUploadSize)
        switch MediaType(request.headers[.contentType]) {
        case .json, .jsonLines: break
        default: throw ServiceError(.unsupportedMediaType, "send the claims as application/x-ndjson (one {\"claim\": {...}} per line)")
        }
        let lines = Array(body.readableBytesView).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map { $0.last == UInt8(ascii: "\r") ? $0.dropLast() : $0 }
            .filter { !$0.allSatisfy { $0 == 32 || $0 == 9 } }
        guard !lines.isEmpty else { throw ServiceError(.unprocessableContent, "the body holds no claims") }
        guard lines.count <= ServiceLimits.maxBatchClaims else {
            throw ServiceError(.contentTooLarge, "a batch holds at most \(ServiceLimits.maxBatchClaims) claims; this one holds \(lines.count)")
        }
        var parsed: [(index: Int, result: Result<CandidateClaim, ServiceError>)] = []
        for (offset, line) in lines.enumerated() {
            do {
                parsed.append((offset + 1, .success(try CheckEngine.candidate(try ClaimBody.rows(json: line)))))
            } catch let error as ServiceError {
                parsed.append((offset + 1, .failure(error)))
            }
        }
        let candidates = parsed.compactMap { try? $0.result.get() }
        let answers = candidates.isEmpty ? [] : try await pool.read { db in try CheckEngine.check(candidates, db: db) }
        var out: [UInt8] = []
        var next = answers.makeIterator()
        for item in parsed {
            switch item.result {
            case .success: out += JSONAnswer.bytes(next.next()!)
            case .failure(let problem): out += JSONAnswer.bytes(BatchProblem(index: item.index, problem))
            }
            out.append(UInt8(ascii: "\n"))
        }
        return JSONAnswer.body(out, contentType: "application/x-ndjson; charset=utf-8")
    }
}

/// The kinds of body the check routes tell apart by `Content-Type` (none means JSON).
enum MediaType {
    case json, jsonLines, csv, x12, other

    init(_ header: String?) {
        let type = (header ?? "application/json").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        } ?? ""
        switch type {
        case "application/json", "": self = .json
        case "application/x-ndjson", "application/jsonl", "application/jsonlines", "application/json-seq": self = .jsonLines
        case "text/csv": self = .csv
        case "application/edi-x12", "application/edi_x12": self = .x12
        default: self = .other
        }
    }
}
